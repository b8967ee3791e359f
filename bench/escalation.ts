/**
 * Escalation benchmark: measures (does not assert) redaction throughput, formatting and fingerprint
 * cost, end-to-end escalate() latency against local fakes (GitHub, Slack, email on 127.0.0.1), and how
 * long escalate() takes to give up on a dead channel with the default policy.
 *
 *   node --import tsx bench/escalation.ts            # full run (~45 s, the hanging case dominates)
 *   node --import tsx bench/escalation.ts --quick    # skips the 30 s hanging-channel case
 */
import { performance } from 'node:perf_hooks'
import { createEscalator } from '../src/main/core/escalate/escalator'
import { fingerprint } from '../src/main/core/escalate/fingerprint'
import { formatEscalation } from '../src/main/core/escalate/format'
import { createRedactor, redactDeep } from '../src/main/core/util/redact'
import { DEFAULT_SETTINGS } from '../src/shared/settings'
import { failedTask } from '../test/core/escalate/task-fixture'
import { startFakeGithub } from '../test/support/fake-github'
import { closedPortUrl, startWebhookReceiver } from '../test/support/webhook-receiver'

const quick = process.argv.includes('--quick')
const rows: Array<{ name: string; value: number; unit: string; note: string }> = []
const row = (name: string, value: number, unit: string, note = '') =>
  rows.push({ name, value: Math.round(value * 100) / 100, unit, note })

function timeIt(n: number, fn: () => void): number {
  for (let i = 0; i < Math.min(50, n); i++) fn()
  const start = performance.now()
  for (let i = 0; i < n; i++) fn()
  return (performance.now() - start) / n
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0

// Redaction
const secrets = [
  'ghp_benchtoken0123456789abcdefghijklmn',
  'https://hooks.slack.com/services/T0/B0/benchsecretpath',
  'https://mail.example/hook/benchsecret',
  'sk-ant-api03-benchkey0123456789abcdef',
]
const redact = createRedactor(secrets)
const line =
  'at Object.<anonymous> (src/math.ts:12:7) expected 3 to be 4 https://example.com/x?page=2\n'
const text64k = line.repeat(Math.ceil(65_536 / line.length)).slice(0, 65_536)
const perText = timeIt(200, () => redact(text64k))
row(
  'redact 64 KiB text (4 secrets + patterns)',
  perText,
  'ms',
  `${(0.0625 / (perText / 1000)).toFixed(1)} MiB/s`,
)

// Formatting and fingerprint
const small = failedTask()
const bigFailures = Array.from({ length: 30 }, (_, i) => ({
  name: `case ${i}`,
  file: `test/t${i}.test.ts`,
  message: `AssertionError: ${'x'.repeat(2000)}`,
}))
const big = failedTask({ failures: bigFailures, attempts: 20, diff: '+line\n'.repeat(20_000) })
row('fingerprint (typical task)', timeIt(2000, () => fingerprint(small)) * 1000, 'µs')
row('fingerprint (30 failures, 20 attempts)', timeIt(500, () => fingerprint(big)) * 1000, 'µs')
const fp = fingerprint(small)
row(
  'formatEscalation (typical task)',
  timeIt(500, () => formatEscalation(small, { fingerprint: fp })),
  'ms',
)
const bigMessage = formatEscalation(big, { fingerprint: fingerprint(big) })
row(
  'formatEscalation (30 failures, 20 attempts, 120 KB diff)',
  timeIt(50, () => formatEscalation(big, { fingerprint: fp })),
  'ms',
  `issue body ${bigMessage.markdown.length} chars`,
)
row(
  'redactDeep(message) (large)',
  timeIt(50, () => redactDeep(bigMessage, redact)),
  'ms',
)

// End to end against local fakes
const gh = await startFakeGithub()
const slack = await startWebhookReceiver()
const email = await startWebhookReceiver()
const settings = { ...DEFAULT_SETTINGS.escalation, githubRepo: gh.repo, rateLimitMinutes: 0 }
const escalator = createEscalator({
  settings,
  secrets: {
    githubToken: gh.token,
    slackWebhookUrl: slack.url(),
    emailWebhookUrl: email.url('/mail'),
  },
  githubBaseUrl: gh.baseUrl,
  desktop: { notify: async () => undefined },
  log: () => undefined,
})
const firsts: number[] = []
const repeats: number[] = []
for (let i = 0; i < 20; i++) {
  const task = failedTask({ files: [`src/f${i}.ts`] })
  let t = performance.now()
  await escalator.escalate(task)
  firsts.push(performance.now() - t)
  t = performance.now()
  await escalator.escalate(task)
  repeats.push(performance.now() - t)
}
row(
  'escalate() all 5 rungs, new fingerprint (issue opened)',
  median(firsts),
  'ms',
  'median of 20, local fakes',
)
row(
  'escalate() all 5 rungs, same fingerprint (comment)',
  median(repeats),
  'ms',
  `median of 20; ${gh.issues.length} open issues listed`,
)

// Dead channels with the default policy (3 tries, 1 s·4ⁿ backoff, 10 s per try, 60 s deadline)
const deadEscalator = (url: string) =>
  createEscalator({
    settings: { ...settings, ladder: ['email'] },
    secrets: { emailWebhookUrl: url },
    log: () => undefined,
  })
let t = performance.now()
const refused = await deadEscalator(await closedPortUrl()).escalate(small)
row(
  'escalate() to a closed port, default policy',
  performance.now() - t,
  'ms',
  `tries ${refused.records[0]?.tries}, ok ${refused.records[0]?.ok}`,
)
if (!quick) {
  email.hangNext(10)
  t = performance.now()
  const hung = await deadEscalator(email.url('/mail')).escalate(small)
  row(
    'escalate() to a hanging server, default policy',
    performance.now() - t,
    'ms',
    `tries ${hung.records[0]?.tries}, ok ${hung.records[0]?.ok}`,
  )
}
await Promise.all([gh.close(), slack.close(), email.close()])

const width = Math.max(...rows.map((r) => r.name.length))
console.log(`${'measure'.padEnd(width)}  ${'value'.padStart(10)}  unit  note`)
for (const r of rows) {
  console.log(
    `${r.name.padEnd(width)}  ${String(r.value).padStart(10)}  ${r.unit.padEnd(4)}  ${r.note}`,
  )
}
console.log(JSON.stringify({ bench: 'escalation', node: process.version, quick, results: rows }))

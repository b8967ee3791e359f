/**
 * The escalation ladder: what happens to a task Fixloop could not fix. The seed's ladder was "log and
 * pause the file → GitHub issue → Slack/email"; here it is configurable (`settings.escalation.ladder`)
 * and it works:
 *
 * - one fingerprint per kind of failure (`fingerprint.ts`); an open GitHub issue for it gets a
 *   comment instead of a twin;
 * - push channels (desktop, Slack, email by default) are rate-limited per fingerprint;
 * - every delivery is retried with backoff, bounded by a per-try timeout and an overall deadline,
 *   and ends as an `EscalationRecord`; `escalate()` never throws and never waits past the deadline;
 * - everything sent, recorded or logged is redacted first.
 *
 * Rungs run at once, records come back in ladder order. The rungs after `github` start when it has
 * settled (so Slack and email can link the issue) or after `linkWaitMs`, whichever comes first.
 * Pausing the file is the breaker's job (the orchestrator's), not this module's.
 */
import type { EscalationChannel, EscalationRecord, Task } from '../../../shared/domain'
import { DEFAULT_SETTINGS, type Settings } from '../../../shared/settings'
import { isoNow, systemClock, type Clock } from '../util/clock'
import { createRedactor, redactDeep, type Redactor } from '../util/redact'
import type { DesktopNotifier } from './channels/desktop'
import { fingerprint } from './fingerprint'
import { planLadder, settledWithin } from './ladder'
import { formatEscalation, formatTestMessage, type FormatOptions } from './format'
import { emptyMemoryEntry, createInMemoryEscalationMemory } from './memory'
import { DEFAULT_DELIVERY_POLICY, deliverWithRetry, type DeliveryPolicy } from './retry'
import { RUNGS, type RungContext, type RungResult } from './rungs'
import type {
  EscalationLogEntry,
  EscalationMemory,
  EscalationMemoryEntry,
  EscalationMessage,
  EscalationResult,
  EscalationSecrets,
} from './types'

export type EscalationSettings = Settings['escalation']

export interface EscalatorOptions {
  /** `settings.escalation`: ladder, GitHub repository, rate limit. @default DEFAULT_SETTINGS.escalation */
  settings?: EscalationSettings
  /** Tokens and webhook URLs. A channel without its secret is skipped as not configured. @default {} */
  secrets?: EscalationSecrets
  /** Fingerprint → last deliveries and GitHub issue. @default an in-memory store (lost on restart) */
  memory?: EscalationMemory
  /** The desktop rung. The Electron shell passes its notifier, the CLI `consoleNotifier()`. @default null */
  desktop?: DesktopNotifier | null
  /** The engine's log. @default one line per entry on stderr */
  log?: (entry: EscalationLogEntry) => void
  /** @default globalThis.fetch */
  fetch?: typeof fetch
  /** @default 'https://api.github.com' */
  githubBaseUrl?: string
  /** @default 'fixloop' */
  userAgent?: string
  /** @default systemClock */
  clock?: Clock
  /** Jitter source. @default Math.random */
  random?: () => number
  /** Tries, backoff and per-try timeout. @default DEFAULT_DELIVERY_POLICY (3 tries, 1 s·4ⁿ, 10 s) */
  policy?: Partial<DeliveryPolicy>
  /** Longest one `escalate()` may take, every rung included. @default 30000 */
  deadlineMs?: number
  /** Longest the rungs after `github` wait for its issue link before going without. @default 5000 */
  linkWaitMs?: number
  /** Channels the rate limit applies to. GitHub is left out: its de-duplication is a comment. @default ['desktop', 'slack', 'email'] */
  rateLimited?: readonly EscalationChannel[]
  /** Shown in titles, e.g. the project folder's name. @default null */
  project?: string | null
  /** More values to redact (e.g. other env secrets). @default [] */
  extraSecrets?: readonly string[]
  /** Trimming of bodies. @default DEFAULT_REPORT_LIMITS */
  limits?: FormatOptions['limits']
}

export interface EscalateOptions {
  /** Aborts pending deliveries (shutdown); they are recorded as aborted. */
  signal?: AbortSignal
}

export interface ChannelStatus {
  channel: EscalationChannel
  configured: boolean
  /** What is missing when not configured. */
  detail: string
}

export interface Escalator {
  /** Runs the ladder for a task that failed for good. Never throws. */
  escalate(task: Task, options?: EscalateOptions): Promise<EscalationResult>
  /** Sends a test through one channel, ignoring the ladder and the rate limit. Never throws. */
  testChannel(channel: EscalationChannel, options?: EscalateOptions): Promise<EscalationRecord>
  /** The fingerprint `escalate` would use. */
  fingerprint(task: Task): string
  /** Which channels could deliver now. */
  channels(): ChannelStatus[]
  /** Takes new settings, secrets or notifier (after `updateSettings` / `setSecret`). */
  configure(patch: Pick<EscalatorOptions, 'settings' | 'secrets' | 'desktop' | 'project'>): void
  /** The redactor over the current secrets, for the engine's logger. */
  redact: Redactor
}

const stderrLog = (entry: EscalationLogEntry) =>
  void process.stderr.write(`[fixloop] ${entry.level}: ${entry.message}\n`)

export function createEscalator(options: EscalatorOptions = {}): Escalator {
  const clock = options.clock ?? systemClock
  const random = options.random ?? Math.random
  const memory = options.memory ?? createInMemoryEscalationMemory()
  const policy: DeliveryPolicy = { ...DEFAULT_DELIVERY_POLICY, ...options.policy }
  const deadlineMs = options.deadlineMs ?? 30_000
  const linkWaitMs = options.linkWaitMs ?? 5000
  const rateLimited = new Set<EscalationChannel>(
    options.rateLimited ?? ['desktop', 'slack', 'email'],
  )
  const rawLog = options.log ?? stderrLog
  let settings = options.settings ?? DEFAULT_SETTINGS.escalation
  let secrets: EscalationSecrets = { ...options.secrets }
  let desktop = options.desktop ?? null
  let project = options.project ?? null
  let redact = buildRedactor()
  /** Escalations of one fingerprint run one after another, so two failures cannot open twin issues. */
  const inFlight = new Map<string, Promise<unknown>>()

  function buildRedactor(): Redactor {
    const { githubToken, slackWebhookUrl, emailWebhookUrl, anthropicApiKey } = secrets
    return createRedactor([
      githubToken,
      slackWebhookUrl,
      emailWebhookUrl,
      anthropicApiKey,
      ...(options.extraSecrets ?? []),
    ])
  }

  const log = (entry: EscalationLogEntry) => {
    try {
      rawLog({ ...entry, message: redact(entry.message) })
    } catch {
      // A broken logger must not break escalation.
    }
  }

  const context = (): RungContext => ({
    secrets,
    githubRepo: settings.githubRepo,
    githubBaseUrl: options.githubBaseUrl ?? 'https://api.github.com',
    userAgent: options.userAgent ?? 'fixloop',
    desktop,
    fetch: options.fetch ?? globalThis.fetch,
    log,
    now: () => clock.now(),
  })

  async function run(
    channel: EscalationChannel,
    fingerprintValue: string,
    deadline: number,
    signal: AbortSignal | undefined,
    send: (ctx: RungContext, signal: AbortSignal) => Promise<RungResult>,
    tries = policy.tries,
  ): Promise<{ record: EscalationRecord; result: RungResult | null }> {
    const ctx = context()
    const outcome = await deliverWithRetry((s) => send(ctx, s), {
      policy: { ...policy, tries },
      clock,
      random,
      signal,
      deadline,
    })
    const base = { channel, at: isoNow(clock), fingerprint: fingerprintValue, tries: outcome.tries }
    if (outcome.ok) {
      const { detail, url } = outcome.value
      const record: EscalationRecord = { ...base, ok: true, detail: redact(detail) }
      if (url) record.url = redact(url)
      return { record, result: outcome.value }
    }
    const after = outcome.tries > 1 ? ` (after ${outcome.tries} tries)` : ''
    return {
      record: { ...base, ok: false, detail: redact(`${outcome.error.message}${after}`) },
      result: null,
    }
  }

  async function readMemory(fp: string): Promise<EscalationMemoryEntry> {
    try {
      return (await memory.get(fp)) ?? emptyMemoryEntry()
    } catch (error) {
      log({ level: 'warn', message: `Escalation memory could not be read: ${String(error)}` })
      return emptyMemoryEntry()
    }
  }

  async function escalateOnce(
    task: Task,
    fp: string,
    signal?: AbortSignal,
  ): Promise<EscalationResult> {
    const now = clock.now()
    const deadline = now + deadlineMs
    const entry = await readMemory(fp)
    const ctx = context()
    const { active, skipped } = planLadder({
      ladder: settings.ladder,
      rateLimitMinutes: settings.rateLimitMinutes,
      rateLimited,
      entry,
      now,
      missing: (channel) => RUNGS[channel].missing(ctx),
    })
    const message = (issueUrl: string | null): EscalationMessage =>
      redactDeep(
        formatEscalation(task, { fingerprint: fp, project, issueUrl, limits: options.limits }),
        redact,
      )
    const githubAt = active.indexOf('github')
    const first = githubAt < 0 ? active : active.slice(0, githubAt + 1)
    const later = githubAt < 0 ? [] : active.slice(githubAt + 1)
    const next: EscalationMemoryEntry = { ...entry, lastAt: { ...entry.lastAt } }
    if (skipped.length > 0) {
      const list = skipped.map((s) => `${s.channel} (${s.detail})`).join(', ')
      log({ level: 'info', message: `Escalation ${fp}: skipped ${list}`, taskId: task.id })
    }
    const start = (channels: EscalationChannel[], msg: EscalationMessage) =>
      channels.map((channel) =>
        run(channel, fp, deadline, signal, (ctx, s) =>
          RUNGS[channel].send({ message: msg, knownIssue: entry.githubIssue }, ctx, s),
        ),
      )
    const firstWave = start(first, message(entry.githubIssueUrl))
    const github = githubAt < 0 ? undefined : firstWave[githubAt]
    // The rungs after GitHub wait for its issue link, but only `linkWaitMs`: a slow GitHub must not
    // cost Slack and email their turn. The wait is real time, like the per-try timeouts.
    const link = github && later.length > 0 ? await settledWithin(github, linkWaitMs) : undefined
    const linked = link?.result?.github?.issue.url || entry.githubIssueUrl
    const laterWave = later.length > 0 ? start(later, message(linked)) : []
    const done = await Promise.all([...firstWave, ...laterWave])
    const records: EscalationRecord[] = []
    for (const { record, result } of done) {
      records.push(record)
      if (record.ok) next.lastAt[record.channel] = record.at
      else {
        const message = `Escalation via ${record.channel} failed: ${record.detail}`
        log({ level: 'warn', message, taskId: task.id })
      }
      if (result?.github) {
        next.githubIssue = result.github.issue.number
        next.githubIssueUrl = result.github.issue.url || next.githubIssueUrl
      }
    }
    try {
      await memory.set(fp, next)
    } catch (error) {
      log({ level: 'warn', message: `Escalation memory could not be saved: ${String(error)}` })
    }
    return { fingerprint: fp, records, skipped }
  }

  const escalator: Escalator = {
    fingerprint,
    get redact() {
      return redact
    },
    async escalate(task, { signal } = {}) {
      let fp = 'unknown'
      try {
        fp = fingerprint(task)
        const previous = inFlight.get(fp) ?? Promise.resolve()
        const mine = previous.catch(() => undefined).then(() => escalateOnce(task, fp, signal))
        inFlight.set(fp, mine)
        try {
          return await mine
        } finally {
          if (inFlight.get(fp) === mine) inFlight.delete(fp)
        }
      } catch (error) {
        // Only a bug gets here (formatting, a hostile memory); still a result, never a throw.
        const detail = redact(
          `Escalation failed: ${error instanceof Error ? error.message : String(error)}`,
        )
        log({ level: 'error', message: detail, taskId: task.id })
        const record: EscalationRecord = {
          channel: 'log',
          at: isoNow(clock),
          ok: false,
          detail,
          fingerprint: fp,
          tries: 0,
        }
        return { fingerprint: fp, records: [record], skipped: [] }
      }
    },
    async testChannel(channel, { signal } = {}) {
      const at = isoNow(clock)
      const missing = RUNGS[channel].missing(context())
      if (missing) {
        return {
          channel,
          at,
          ok: false,
          detail: `not configured: ${missing}`,
          fingerprint: 'test',
          tries: 0,
        }
      }
      const msg = redactDeep(formatTestMessage(at), redact)
      // One try: the person clicking "Send test" wants an answer now, with the real error.
      const { record } = await run(
        channel,
        'test',
        clock.now() + deadlineMs,
        signal,
        (ctx, s) => RUNGS[channel].test(msg, ctx, s),
        1,
      )
      return record
    },
    channels() {
      const ctx = context()
      return (Object.keys(RUNGS) as EscalationChannel[]).map((channel) => {
        const missing = RUNGS[channel].missing(ctx)
        return { channel, configured: missing === null, detail: missing ?? 'ready' }
      })
    },
    configure(patch) {
      if (patch.settings) settings = patch.settings
      if (patch.secrets) secrets = { ...patch.secrets }
      if (patch.desktop !== undefined) desktop = patch.desktop
      if (patch.project !== undefined) project = patch.project
      redact = buildRedactor()
    },
  }
  return escalator
}

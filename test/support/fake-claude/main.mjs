/**
 * A stand-in for Claude Code's `claude` CLI, for tests (an external program, so faking it is fine).
 *
 * `claude --version` prints `$FAKE_CLAUDE_VERSION (Claude Code)` (default 2.1.80; exit 1 with
 * FAKE_CLAUDE_VERSION_FAIL=1). Otherwise it checks its args like a strict Claude Code would
 * (print mode, stream-json needs --verbose, unknown options fail, and it refuses
 * --dangerously-skip-permissions and bypassPermissions), writes what it got as JSON to
 * $FAKE_CLAUDE_ARGS_LOG (default args.log beside it): args, cwd, the stdin prompt, which secret
 * variables were present (never their values). Then it plays the stream-json transcript named by
 * $FAKE_CLAUDE_TRANSCRIPT (a .jsonl file in this folder, or a path), really performing its tool
 * uses under its cwd (tools.mjs), with $FAKE_CLAUDE_DELAY_MS (default 2) between lines.
 *
 * Placeholders in transcript strings: {{cwd}}, {{check}} (the command of the first Bash(...) rule
 * in --allowedTools), {{session_id}}, {{model}} (--model, or claude-sonnet-4-5-20250929).
 *
 * FAKE_CLAUDE_MODE: (unset) play the transcript; `max-turns` stop after --max-turns turns with an
 * error_max_turns result; `budget-result` an error_max_budget_usd result after the first turn;
 * `not-logged-in` an is_error success result "Invalid API key · Please run /login";
 * `crash` stderr and exit 1 after init (FAKE_CLAUDE_LEAK_ENV=NAME puts that variable's value
 * in stderr, to test redaction); `hang` init, one turn, a child process, then nothing forever
 * (pids to $FAKE_CLAUDE_PID_FILE; FAKE_CLAUDE_IGNORE_SIGTERM=1 makes both ignore SIGTERM);
 * `costly` endless assistant messages of 100k output tokens each and no result; `noise` a
 * non-JSON line and a $FAKE_CLAUDE_NOISE_BYTES-long line first; `linger` stays alive after the
 * result.
 */
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { bashRuleCommand, runTool, splitRules } from './tools.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const env = process.env
const argv = process.argv.slice(2)
const mode = env.FAKE_CLAUDE_MODE ?? ''
const delayMs = Number(env.FAKE_CLAUDE_DELAY_MS ?? 2)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

const BOOLEAN = new Set([
  '-p',
  '--print',
  '--verbose',
  '--strict-mcp-config',
  '--dangerously-skip-permissions',
])
const VALUE = new Set([
  '--output-format',
  '--input-format',
  '--permission-mode',
  '--max-turns',
  '--max-budget-usd',
  '--model',
  '--append-system-prompt',
  '--session-id',
  '--resume',
])
const VARIADIC = new Map([
  ['--tools', 'tools'],
  ['--allowedTools', 'allowedTools'],
  ['--allowed-tools', 'allowedTools'],
  ['--disallowedTools', 'disallowedTools'],
  ['--disallowed-tools', 'disallowedTools'],
])

function fail(message, code = 1) {
  process.stderr.write(`${message}\n`)
  process.exit(code)
}

function parseArgs(args) {
  const flags = { allowedTools: [], disallowedTools: [], tools: null, positional: [] }
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    if (BOOLEAN.has(a)) flags[a] = true
    else if (VALUE.has(a)) {
      if (i + 1 >= args.length) fail(`error: option '${a}' argument missing`)
      flags[a] = args[++i]
    } else if (VARIADIC.has(a)) {
      const values = []
      while (i + 1 < args.length && !args[i + 1].startsWith('-')) values.push(args[++i])
      const key = VARIADIC.get(a)
      flags[key] =
        key === 'tools'
          ? values.flatMap((v) => v.split(/[ ,]/)).filter(Boolean)
          : [...flags[key], ...values]
    } else if (a.startsWith('-')) fail(`error: unknown option '${a}'`)
    else flags.positional.push(a)
  }
  return flags
}

function readStdin() {
  try {
    return readFileSync(0, 'utf8')
  } catch {
    return ''
  }
}

if (argv.includes('--version') || argv.includes('-v')) {
  if (env.FAKE_CLAUDE_VERSION_FAIL === '1') fail('fake claude: --version failed on purpose')
  process.stdout.write(`${env.FAKE_CLAUDE_VERSION ?? '2.1.80'} (Claude Code)\n`)
  process.exit(0)
}

const flags = parseArgs(argv)
if (flags['--dangerously-skip-permissions'])
  fail('fake claude: refusing --dangerously-skip-permissions (Fixloop must never pass it)', 2)
if (flags['--permission-mode'] === 'bypassPermissions')
  fail('fake claude: refusing bypassPermissions', 2)
if (!flags['-p'] && !flags['--print']) fail('fake claude: only print mode (-p) is faked', 2)
if (flags['--output-format'] !== 'stream-json')
  fail('fake claude: only --output-format stream-json is faked', 2)
if (!flags['--verbose'])
  fail('Error: When using --print, --output-format=stream-json requires --verbose')
const maxTurns = flags['--max-turns'] === undefined ? Infinity : Number(flags['--max-turns'])
if (!(maxTurns > 0))
  fail(`error: --max-turns must be a positive number, got ${flags['--max-turns']}`)

const prompt = flags.positional.length > 0 ? flags.positional.join(' ') : readStdin()
const cwd = process.cwd()
const rules = splitRules(flags.allowedTools)
const secretNames = Object.keys(env).filter(
  (k) => /KEY|TOKEN|SECRET/i.test(k) && !k.startsWith('FAKE_'),
)
writeFileSync(
  env.FAKE_CLAUDE_ARGS_LOG ?? path.join(here, 'args.log'),
  JSON.stringify(
    { args: argv, cwd, prompt, pid: process.pid, secretsPresent: secretNames.sort() },
    null,
    2,
  ),
)
if (prompt.trim() === '')
  fail(
    'Error: Input must be provided either through stdin or as a prompt argument when using --print',
  )

const sessionId =
  flags['--resume'] ?? env.FAKE_CLAUDE_SESSION_ID ?? '6f1c2b9e-3d4a-4e5f-9a8b-7c6d5e4f3a2b'
const model = flags['--model'] ?? 'claude-sonnet-4-5-20250929'
const check = rules.map(bashRuleCommand).find((c) => c !== null) ?? ''
const policy = { tools: flags.tools, mode: flags['--permission-mode'] ?? 'default', rules, cwd }
const started = Date.now()
let uuid = 0

function fill(value) {
  if (typeof value === 'string')
    return value
      .replaceAll('{{cwd}}', cwd)
      .replaceAll('{{check}}', check)
      .replaceAll('{{session_id}}', sessionId)
      .replaceAll('{{model}}', model)
  if (Array.isArray(value)) return value.map(fill)
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]))
  return value
}

async function emit(message) {
  process.stdout.write(`${typeof message === 'string' ? message : JSON.stringify(message)}\n`)
  if (delayMs > 0) await sleep(delayMs)
}

function init() {
  return {
    type: 'system',
    subtype: 'init',
    cwd,
    session_id: sessionId,
    tools: flags.tools ?? [
      'Task',
      'Bash',
      'Glob',
      'Grep',
      'Read',
      'Edit',
      'Write',
      'WebFetch',
      'WebSearch',
    ],
    mcp_servers: [],
    model,
    permissionMode: policy.mode,
    slash_commands: ['compact', 'context', 'cost', 'init', 'review'],
    apiKeySource: env.ANTHROPIC_API_KEY ? 'ANTHROPIC_API_KEY' : 'none',
    claude_code_version: env.FAKE_CLAUDE_VERSION ?? '2.1.80',
    output_style: 'default',
    agents: ['general-purpose'],
    skills: [],
    plugins: [],
    uuid: `00000000-0000-4000-8000-${String(++uuid).padStart(12, '0')}`,
  }
}

function assistant(id, content, usage) {
  return {
    type: 'assistant',
    message: {
      model,
      id,
      type: 'message',
      role: 'assistant',
      content,
      stop_reason: null,
      stop_sequence: null,
      usage,
    },
    parent_tool_use_id: null,
    session_id: sessionId,
    uuid: `00000000-0000-4000-8000-${String(++uuid).padStart(12, '0')}`,
  }
}

function result(fields, turns, denials) {
  return {
    type: 'result',
    subtype: 'success',
    is_error: false,
    duration_ms: Date.now() - started,
    duration_api_ms: Math.round((Date.now() - started) * 0.8),
    num_turns: turns,
    session_id: sessionId,
    total_cost_usd: 0,
    usage: {
      input_tokens: 0,
      output_tokens: 0,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    },
    permission_denials: denials,
    uuid: `00000000-0000-4000-8000-${String(++uuid).padStart(12, '0')}`,
    ...fields,
  }
}

function loadTranscript() {
  const name = env.FAKE_CLAUDE_TRANSCRIPT ?? 'fix-edit.jsonl'
  const file = path.isAbsolute(name) ? name : path.join(here, name)
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return fill(JSON.parse(line))
      } catch {
        return line // not JSON: printed as it is, like a warning on stdout
      }
    })
}

async function hang() {
  await emit(init())
  await emit(
    assistant('msg_hang_1', [{ type: 'text', text: 'Looking at the failure…' }], usage(10, 20)),
  )
  const ignore = env.FAKE_CLAUDE_IGNORE_SIGTERM === '1'
  if (ignore) process.on('SIGTERM', () => {})
  const script = `${ignore ? "process.on('SIGTERM', () => {});" : ''}setInterval(() => {}, 1000)`
  const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' })
  if (env.FAKE_CLAUDE_PID_FILE)
    writeFileSync(
      env.FAKE_CLAUDE_PID_FILE,
      JSON.stringify({ claude: process.pid, child: child.pid }),
    )
  setInterval(() => {}, 1000)
}

function usage(input, output, cacheRead = 0, cacheWrite = 0) {
  return {
    input_tokens: input,
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
    cache_creation: { ephemeral_5m_input_tokens: cacheWrite, ephemeral_1h_input_tokens: 0 },
    output_tokens: output,
    service_tier: 'standard',
  }
}

async function costly() {
  await emit(init())
  for (let i = 1; i <= 2000; i++) {
    await emit(
      assistant(
        `msg_costly_${i}`,
        [{ type: 'text', text: `Thinking hard, part ${i}.` }],
        usage(5, 100_000),
      ),
    )
    await sleep(20)
  }
  process.exit(0)
}

async function play() {
  if (mode === 'noise') {
    await emit('Warning: this line is not JSON')
    await emit(
      JSON.stringify({
        type: 'user',
        padding: 'x'.repeat(Number(env.FAKE_CLAUDE_NOISE_BYTES ?? 65536)),
      }),
    )
  }
  const outcomes = new Map()
  const denials = []
  const seen = new Set()
  for (const message of loadTranscript()) {
    if (typeof message === 'string') {
      await emit(message)
      continue
    }
    if (message.type === 'system' && message.subtype === 'init') {
      await emit({ ...message, ...init(), uuid: message.uuid ?? init().uuid })
      continue
    }
    if (message.type === 'assistant') {
      const id = message.message.id
      if (!seen.has(id)) {
        if (mode === 'max-turns' && seen.size >= maxTurns)
          return finish({ subtype: 'error_max_turns', is_error: true }, seen.size, denials)
        if (mode === 'budget-result' && seen.size >= 1)
          return finish(
            {
              subtype: 'error_max_budget_usd',
              is_error: true,
              total_cost_usd: Number(flags['--max-budget-usd'] ?? 1) + 0.01,
            },
            seen.size,
            denials,
          )
        seen.add(id)
      }
      for (const block of message.message.content) {
        if (block.type !== 'tool_use') continue
        const outcome = runTool(block.name, block.input, policy)
        outcomes.set(block.id, outcome)
        if (outcome.denied)
          denials.push({ tool_name: block.name, tool_use_id: block.id, tool_input: block.input })
      }
      // Claude Code streams one line per content block, each with the response's id and usage.
      for (const block of message.message.content)
        await emit({ ...message, message: { ...message.message, content: [block] } })
      continue
    }
    if (message.type === 'user' && Array.isArray(message.message?.content)) {
      const content = message.message.content.map((block) => {
        const outcome = block.type === 'tool_result' ? outcomes.get(block.tool_use_id) : undefined
        if (!outcome) return block
        return { ...block, content: outcome.text, ...(outcome.isError ? { is_error: true } : {}) }
      })
      await emit({ ...message, message: { ...message.message, content } })
      continue
    }
    if (message.type === 'result') return finish(message, seen.size, denials)
    await emit(message)
  }
  process.exit(0)
}

async function finish(fields, turns, denials) {
  const { type: _type, ...rest } = fields
  const last = result({ ...rest, num_turns: turns, permission_denials: denials }, turns, denials)
  await emit(last)
  if (mode === 'linger') return setInterval(() => {}, 1000)
  process.exit(last.is_error ? 1 : 0)
}

async function notLoggedIn() {
  await emit(init())
  const text = 'Invalid API key · Please run /login'
  await emit({
    ...assistant('msg_login_1', [{ type: 'text', text }], usage(0, 0)),
    error: 'authentication_failed',
  })
  await finish({ subtype: 'success', is_error: true, result: text, total_cost_usd: 0 }, 1, [])
}

async function crash() {
  await emit(init())
  const leaked = env.FAKE_CLAUDE_LEAK_ENV ? env[env.FAKE_CLAUDE_LEAK_ENV] : undefined
  process.stderr.write('Error: request to the API failed\n')
  if (leaked) process.stderr.write(`    at request (x-api-key: ${leaked})\n`)
  process.stderr.write('    at async main (cli.js:1:1)\nfake claude crashed on purpose\n')
  process.exit(1)
}

const modes = { hang, costly, crash, 'not-logged-in': notLoggedIn }
await (modes[mode] ?? play)()

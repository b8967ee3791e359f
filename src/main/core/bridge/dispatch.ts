/**
 * The one entry point from a bridge (Electron IPC, the web dashboard's WebSocket) into the engine's
 * command handlers. Everything that arrives is untrusted: the name is checked against the contract,
 * the arguments against the command's zod schema, and whatever the handler throws becomes a
 * `BridgeError` a person can read. It never throws and never rejects.
 */
import type { z } from 'zod'
import { COMMAND_NAMES, commands } from '../../../shared/contract'
import type { BridgeError, CommandName, CommandOutcome } from '../../../shared/contract'
import type { ControllerPort } from './controller-port'

/** The error codes a handler may put on an error's `code` property to be passed through as is. */
const PASSED_THROUGH = new Set<BridgeError['code']>([
  'invalid_args',
  'not_found',
  'conflict',
  'unavailable',
  'forbidden',
])

/** Longest message that crosses the bridge; longer ones are cut so a runaway error cannot flood the UI. */
const MAX_MESSAGE = 2000

export interface DispatchOptions {
  /**
   * Told about every error that is reported to the caller as `internal` (its message is hidden from
   * the caller because it may carry paths, stack frames or secrets). Wire it to the engine's log.
   * @default undefined (nothing is told)
   */
  onInternalError?: (command: CommandName, error: unknown) => void
}

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && (COMMAND_NAMES as readonly string[]).includes(name)
}

/**
 * Runs one command for a bridge. `args` may be `undefined` for commands without arguments (the
 * preload sends `{}` for those; a WebSocket client may omit them).
 */
export async function dispatchCommand(
  port: ControllerPort,
  name: unknown,
  args: unknown,
  options: DispatchOptions = {},
): Promise<CommandOutcome<CommandName>> {
  if (!isCommandName(name)) {
    return fail('invalid_args', `Unknown command ${describeName(name)}.`)
  }
  const raw = args ?? {}
  const parsed = commands[name].args.safeParse(raw)
  if (!parsed.success) {
    return fail('invalid_args', formatIssues(name, parsed.error.issues))
  }
  const handler = (port.handlers as Record<CommandName, unknown>)[name]
  if (typeof handler !== 'function') {
    return fail('unavailable', `The engine cannot run ${name} right now.`)
  }
  try {
    const input = parsed.data
    const value: unknown = await (handler as (a: unknown) => Promise<unknown>).call(
      port.handlers,
      input,
    )
    return { ok: true, value } as CommandOutcome<CommandName>
  } catch (error) {
    return classify(name, error, options)
  }
}

function fail(code: BridgeError['code'], message: string): { ok: false; error: BridgeError } {
  return { ok: false, error: { code, message: clip(message) } }
}

function classify(
  name: CommandName,
  error: unknown,
  options: DispatchOptions,
): { ok: false; error: BridgeError } {
  // The engine validates the merged settings itself: its zod issues are about the user's input.
  // Anywhere else a ZodError is our own bug and stays internal.
  if (name === 'updateSettings' && isZodError(error)) {
    return fail('invalid_args', formatIssues(name, error.issues))
  }
  const code = codeOf(error)
  if (code && PASSED_THROUGH.has(code as BridgeError['code'])) {
    const message = messageOf(error) || `${name} was refused (${code}).`
    return fail(code as BridgeError['code'], message)
  }
  try {
    options.onInternalError?.(name, error)
  } catch {
    // A failing logger must not turn a reported error into a thrown one.
  }
  return fail('internal', `Fixloop hit an internal error while running ${name}. See the log.`)
}

/** "patch.maxRetries: Too small: expected number to be >0; …" — the field first, as a person reads it. */
export function formatIssues(name: CommandName, issues: readonly z.core.$ZodIssue[]): string {
  const parts = issues.slice(0, 5).map((issue) => {
    const where = issue.path.map(String).join('.')
    return where ? `${where}: ${issue.message}` : issue.message
  })
  const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : ''
  return `Invalid arguments for ${name}: ${parts.join('; ')}${more}`
}

function isZodError(error: unknown): error is { issues: z.core.$ZodIssue[] } {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'ZodError' &&
    Array.isArray((error as { issues?: unknown }).issues)
  )
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  try {
    const code = (error as { code?: unknown }).code
    return typeof code === 'string' ? code : undefined
  } catch {
    return undefined
  }
}

function messageOf(error: unknown): string {
  try {
    const message = (error as { message?: unknown }).message
    return typeof message === 'string' ? message : ''
  } catch {
    return ''
  }
}

function describeName(name: unknown): string {
  if (typeof name !== 'string') return `(a ${name === null ? 'null' : typeof name}, not a name)`
  return `'${clip(name, 80)}'`
}

function clip(text: string, max = MAX_MESSAGE): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

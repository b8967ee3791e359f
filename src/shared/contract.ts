/**
 * The Controller's contract: every command (name → args → result) and every event, declared once.
 * The Electron IPC handlers, the preload bridge, the web bridge and the renderer's API type are all
 * derived from these two maps; nothing else lists them.
 */
import { z } from 'zod'
import {
  EngineSnapshot,
  EscalationChannel,
  EscalationRecord,
  Health,
  LogEntry,
  LogLevel,
  Task,
} from './domain'
import { SecretName, SecretStatus, Settings, SettingsPatch } from './settings'
import type { CommandName, EventName } from './channels'

export { COMMAND_NAMES, EVENT_NAMES, ipcChannel } from './channels'
export type { CommandName, EventName } from './channels'

const none = z.object({}).strict()
const byId = z.object({ id: z.string().min(1).max(200) }).strict()
const ok = z.object({ ok: z.literal(true) })

export const SettingsView = z.object({ settings: Settings, secrets: SecretStatus })
export type SettingsView = z.infer<typeof SettingsView>

interface CommandSpec<A extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  args: A
  result: R
  doc: string
}

function command<A extends z.ZodType, R extends z.ZodType>(
  args: A,
  result: R,
  doc: string,
): CommandSpec<A, R> {
  return { args, result, doc }
}

export const commands = {
  getSnapshot: command(none, EngineSnapshot, 'The whole engine state the UI shows.'),
  getTask: command(
    byId,
    Task.nullable(),
    'One task with its attempts, plan, diff and escalations.',
  ),
  getLog: command(
    z
      .object({
        afterSeq: z.number().int().nonnegative().optional(),
        limit: z.number().int().positive().max(10_000).optional(),
        level: LogLevel.optional(),
        taskId: z.string().max(200).optional(),
      })
      .strict(),
    z.array(LogEntry),
    'Log lines, oldest first: those after `afterSeq`, at or above `level`, for `taskId`; with `limit`, the newest `limit` of them.',
  ),
  start: command(none, EngineSnapshot, 'Start watching the project (or resume a paused engine).'),
  pause: command(none, EngineSnapshot, 'Keep watching but hold new work.'),
  resume: command(none, EngineSnapshot, 'Take up held work again.'),
  setProject: command(
    z.object({ path: z.string().min(1).max(4096) }).strict(),
    EngineSnapshot,
    'Switch to another project folder.',
  ),
  chooseProjectFolder: command(
    none,
    z.object({ path: z.string().nullable() }),
    'Ask the user for a folder with the native dialog (null when cancelled or not available).',
  ),
  retryTask: command(byId, Task, 'Send a failed task back to pending.'),
  cancelTask: command(byId, Task, 'Cancel a pending task.'),
  undoTask: command(byId, Task, "Restore the files a completed task's fix changed."),
  approveTask: command(byId, Task, 'Accept a fix held for review.'),
  rejectTask: command(byId, Task, 'Reject a fix held for review: its edits are rolled back.'),
  resetBreaker: command(
    z.object({ file: z.string().min(1).max(4096) }).strict(),
    ok,
    "Close a file's circuit breaker.",
  ),
  getSettings: command(none, SettingsView, 'Settings, with secrets shown only as set / not set.'),
  updateSettings: command(
    z.object({ patch: SettingsPatch }).strict(),
    SettingsView,
    'Change settings; invalid values are refused with the reason.',
  ),
  setSecret: command(
    z.object({ name: SecretName, value: z.string().max(10_000).nullable() }).strict(),
    SettingsView,
    'Store (or with null, remove) a secret. It can never be read back.',
  ),
  testEscalation: command(
    z.object({ channel: EscalationChannel }).strict(),
    EscalationRecord,
    'Send a test message through one escalation channel.',
  ),
  checkHealth: command(none, Health, 'Run the health checks now (they also run every 5 minutes).'),
} as const satisfies Record<CommandName, CommandSpec>

export type Commands = typeof commands
export type CommandArgs<K extends CommandName> = z.input<Commands[K]['args']>
export type CommandResult<K extends CommandName> = z.infer<Commands[K]['result']>

export const events = {
  snapshot: EngineSnapshot,
  task: Task,
  log: LogEntry,
  escalation: z.object({ taskId: z.string().nullable(), record: EscalationRecord }),
  /** Something the user must be told (paused by budget, breaker open, key rejected). */
  notice: z.object({
    level: z.enum(['info', 'warn', 'error']),
    title: z.string(),
    body: z.string(),
    taskId: z.string().nullable(),
  }),
} as const satisfies Record<EventName, z.ZodType>

export type Events = typeof events
export type EventPayload<K extends EventName> = z.infer<Events[K]>

/** An error as it crosses a bridge: a code the UI can act on and a message a person can read. */
export const BridgeError = z.object({
  code: z.enum(['invalid_args', 'not_found', 'conflict', 'unavailable', 'forbidden', 'internal']),
  message: z.string(),
})
export type BridgeError = z.infer<typeof BridgeError>

export type CommandOutcome<K extends CommandName> =
  { ok: true; value: CommandResult<K> } | { ok: false; error: BridgeError }

/** The API the renderer sees, whichever bridge carries it (Electron preload or WebSocket). */
export type FixloopApi = {
  [K in CommandName]: (args: CommandArgs<K>) => Promise<CommandOutcome<K>>
} & {
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void
}

/** The engine-side implementation of the commands, which each adapter calls. */
export type CommandHandlers = {
  [K in CommandName]: (args: z.infer<Commands[K]['args']>) => Promise<CommandResult<K>>
}

/**
 * What the task pipeline needs of the engine, grouped by what it is for. The orchestrator provides
 * the real ones; the shadow workspace, the sandbox and the store are plain interfaces here so a stage
 * reads as what it does, not as how the engine is wired.
 */
import type { EscalationRecord, Task, TaskOutcome, Usage } from '../../../../shared/domain'
import type { Settings } from '../../../../shared/settings'
import type { ProjectFiles, RunnerInfo, WarmExecutor } from '../../checks'
import type { ClaudeClient } from '../../claude/client'
import type { OwnWriteRegistry } from '../../fix/editor-types'
import type { Logger } from '../../log/logger'
import type { StateFile } from '../../state'
import type { Clock } from '../../util/clock'

/** A shadow workspace held by one task: a faithful copy of the project, outside it. */
export interface WorkspaceLease {
  /** Absolute root of the copy: checks run here and Claude's editor writes here. */
  readonly root: string
  /** A private temp folder for the check processes. */
  readonly tmpDir: string
  /** What an OS sandbox must let the check processes write. */
  readonly writable: readonly string[]
  /** Outside the copy, what check processes read through its links (the project's dependencies). */
  readonly readable: readonly string[]
  readonly syncMs: number
  readonly synced: number
  /** Makes the copy a faithful mirror again: the editor's writes and the checks' side effects go. */
  release(touched?: readonly string[]): Promise<unknown>
}

/** The project's shadow workspaces. */
export interface Workspaces {
  lease(taskFiles: readonly string[], signal?: AbortSignal): Promise<WorkspaceLease>
  /** Paths that may differ from the copies now (apply and undo write the tree; the watcher drops those). */
  noteChanged(rels: readonly string[]): void
}

/** Wraps a check's argv in the OS sandbox, or returns it unchanged where there is none. */
export interface CheckSandbox {
  wrap(
    argv: readonly string[],
    spec: {
      cwd: string
      writable: readonly string[]
      tmpDir: string
      readable?: readonly string[]
    },
  ): string[]
}

export type NoticeLevel = 'info' | 'warn' | 'error'

/** The project's tree as it was at the last green run: "what changed since" for the fixer. */
export interface GreenBaselinePort {
  /** null: none recorded yet. */
  changesSince(options: { maxChars: number }): Promise<{ recordedAt: number; diff: string } | null>
  /** The tree is green now; `changed` (when known) are the only paths that moved since the last record. */
  record(hint?: { changed?: string[] }): Promise<unknown>
}

/** When the user last changed each file, as the watcher saw it (clock ms; repeats not counted). */
export interface ChangeTimes {
  /** null: not lately. */
  lastChangeAt(rel: string): number | null
  /** Resolves with the first of `rels` to change from now on; rejects when `signal` is aborted. */
  nextChange(rels: readonly string[], signal: AbortSignal): Promise<string>
}

export interface PipelineDeps {
  /** The user's project. Only the apply stage writes it. */
  root: string
  settings: Settings
  clock: Clock
  /** @default Math.random */
  random?: () => number
  log: Logger
  /** Told every write apply makes to the user's tree, so the watcher drops it. */
  ownWrites: OwnWriteRegistry
  /** The project's test runner (throws when none can be found). */
  runner: () => RunnerInfo
  /** A Claude client (throws when no API key is set). */
  client: () => ClaudeClient
  workspaces: () => Workspaces
  /** The last green run's tree, when the engine keeps one. */
  baseline?: () => GreenBaselinePort | null
  /** null: checks run unsandboxed (in the shadow all the same). */
  sandbox: () => CheckSandbox | null
  /** The project's file index, so choosing tests walks no tree. @default none: the shadow is walked */
  files?: () => ProjectFiles | null
  /** Long-lived test runners that take checks warm; none: every check is a process of its own. */
  warm?: () => WarmExecutor | null
  /** The watcher's change times, for the gate's quiet wait; none: a red task goes on at once. */
  changes?: () => ChangeTimes | null
  /**
   * Aborted when the engine stops taking new work (pause, stop): a task still waiting at the gate
   * for its files to be quiet goes back to pending instead of on to Claude.
   */
  intake?: () => AbortSignal
  /** The environment checks start from: the user's, without Fixloop's secrets. */
  checkEnv: () => NodeJS.ProcessEnv
  /** Removes secrets from text that is kept, shown or sent (check output). */
  redact: (text: string) => string
  store: {
    state: () => StateFile
    write: <R>(fn: (draft: StateFile) => R) => Promise<R>
  }
  spend: {
    /** Spend of the day before this task's unsaved usage. */
    today: () => Usage
    add: (usage: Usage) => void
  }
  effects: {
    escalate: (task: Task) => Promise<EscalationRecord[]>
    /** Holds new work; `keyRejected` marks the key unusable until it is replaced. */
    pause: (reason: string, keyRejected: boolean) => void
    /**
     * The Claude API is unavailable (a task was deferred): hold new work until `retryAfterMs`, or
     * a backoff when null, and tell the user once.
     */
    defer: (reason: string, retryAfterMs: number | null) => void
    /** A Claude request succeeded: any outage is over. */
    apiAvailable: () => void
    notice: (level: NoticeLevel, title: string, body: string) => void
    recordOutcome: (outcome: TaskOutcome, fixMs?: number) => void
    emitTask: (kind: 'task_updated' | 'task_completed' | 'task_failed', task: Task) => void
    activity: () => void
  }
}

/**
 * One run of one task through the pipeline: what the stages hand each other (the workspace lease,
 * the runner rebased into it, the red checks, the fix's attempts and journal) and the few ways a
 * stage records progress. Stages read and fill it; only `persist` and `enter` write state.
 */
import type {
  Attempt,
  CheckResult,
  Plan,
  SelectedTest,
  Task,
  Usage,
} from '../../../../shared/domain'
import { EMPTY_USAGE } from '../../../../shared/domain'
import { filesAt } from '../../checks'
import type { RingOptions, RunnerInfo } from '../../checks'
import type { ClaudeClient } from '../../claude/client'
import { addUsage } from '../../claude/pricing'
import type { Journal } from '../../fix/journal'
import type { StagedFix } from '../../fix/staged-fix'
import type { FixAgent } from '../../fix/agent'
import type { SourceFile } from '../../fix/prompts'
import { updateTask } from '../../queue'
import type { TaskPatch } from '../../queue'
import type { StateFile } from '../../state'
import { isoNow } from '../../util/clock'
import type { PipelineDeps, WorkspaceLease } from './ports'
import { asProjectPaths, ringIn } from './ring'

/** The fix's own progress, kept across the fix ⇄ verify rounds. */
export interface FixProgress {
  plan: Plan | null
  attempts: Attempt[]
  usage: Usage
  /** What the next round is told of the last one (its red verification), null for the first. */
  feedback: string | null
  sources: SourceFile[]
  /** The change since the last green run (or HEAD), with the heading that says which. */
  change: { heading: string; diff: string } | null
  /** The editor's journal in the shadow: what Claude changed, with each file's base. */
  journal: Journal | null
  /** The task's one conversation with Claude (the API backend), kept across rounds. */
  agent: FixAgent | null
  /** The shadow's file hashes before Claude Code's first round (that backend writes files itself). */
  shadowHashes?: Map<string, string>
  /** Claude Code's session id from the last round, continued by the next. */
  claudeCodeSession?: string
}

export class TaskRun {
  readonly id: string
  task: Task
  lease: WorkspaceLease | null = null
  /** The project's runner, rebased into the lease. */
  runner: RunnerInfo | null = null
  red: CheckResult[] = []
  selection: SelectedTest[] = []
  client: ClaudeClient | null = null
  /** The fix as saved for apply or review, once it is. */
  staged: StagedFix | null = null
  readonly fix: FixProgress = {
    plan: null,
    attempts: [],
    usage: { ...EMPTY_USAGE },
    feedback: null,
    sources: [],
    change: null,
    journal: null,
    agent: null,
  }

  constructor(
    task: Task,
    readonly signal: AbortSignal,
    readonly deps: PipelineDeps,
  ) {
    this.id = task.id
    this.task = task
    // A task deferred by an API outage (or left by a crash) keeps its attempts and spend: rounds
    // already judged count, and budgets see what was spent. A user retry clears attempts first.
    if (task.attempts.length > 0) {
      this.fix.attempts = structuredClone(task.attempts)
      this.fix.usage = { ...task.usage }
    }
  }

  get now(): string {
    return isoNow(this.deps.clock)
  }

  info(message: string): void {
    this.deps.log.info(message, { taskId: this.id })
  }

  warn(message: string): void {
    this.deps.log.warn(message, { taskId: this.id })
  }

  /** Options for every check of this run: in the shadow, sandboxed, without Fixloop's secrets. */
  ring(): RingOptions {
    const { deps, lease } = this
    if (!lease) throw new Error('checks run in a shadow workspace')
    const files = deps.files?.() ?? null
    return {
      ...ringIn(lease, deps.sandbox(), deps.checkEnv(), this.signal, deps.warm?.()),
      // The paths are relative: the index of the user's tree lists the shadow's files as well.
      index: files ? filesAt(files, lease.root) : null,
      debug: (message) => deps.log.debug(message, { taskId: this.id, source: 'checks' }),
      onCheck: (e) => {
        if (e.type === 'start')
          deps.log.debug(`$ ${e.command.join(' ')}`, { taskId: this.id, source: 'checks' })
      },
    }
  }

  /** Check output as the user and Claude see it: secrets out, shadow paths shown as the project's. */
  presentable(text: string): string {
    const lease = this.lease
    return this.deps.redact(lease ? asProjectPaths(text, lease.root, this.deps.root) : text)
  }

  /** Counts one API request's usage toward the task, the session and the day. */
  addUsage(usage: Usage): void {
    this.fix.usage = addUsage(this.fix.usage, usage)
    this.deps.spend.add(usage)
  }

  /** Writes a change to the task (and whatever else `also` does in the same write). */
  async persist(patch: TaskPatch, also?: (s: StateFile) => void): Promise<Task> {
    const task = await this.deps.store.write((s) => {
      also?.(s)
      return updateTask(s.queues, this.id, patch, { now: this.now })
    })
    this.task = task
    this.deps.effects.emitTask('task_updated', task)
    return task
  }

  /** The fix's progress as a task patch (copies: the store may freeze what it is handed). */
  progress(): TaskPatch {
    const { plan, attempts, usage, journal } = this.fix
    return structuredClone({ plan, attempts, usage, diff: journal?.diff() || null })
  }
}

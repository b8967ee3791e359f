import type { FixloopApi, Task } from '../../../../shared'
import { legalActions } from '../task-actions'
import type { TaskAction } from '../task-actions'

/** The task opened in the detail view, kept current by `task` events. */
export class TaskDetail {
  id = $state<string | null>(null)
  task = $state.raw<Task | null>(null)
  loading = $state(false)
  /** Set when the task could not be loaded (or does not exist). */
  error = $state<string | null>(null)
  /** The action running now, to disable the buttons meanwhile. */
  busy = $state<TaskAction | 'resetBreaker' | null>(null)
  /** Why the last action was refused. */
  actionError = $state<string | null>(null)

  legal = $derived(this.task ? legalActions(this.task) : null)

  constructor(private readonly api: FixloopApi) {
    api.on('task', (task) => {
      if (task.id === this.id) this.task = task
    })
  }

  async open(id: string): Promise<void> {
    if (this.id !== id) {
      this.id = id
      this.task = null
      this.actionError = null
    }
    this.loading = true
    try {
      const outcome = await this.api.getTask({ id })
      if (this.id !== id) return
      if (!outcome.ok) this.error = outcome.error.message
      else if (outcome.value === null) this.error = `There is no task ${id} (it may have aged out).`
      else {
        this.task = outcome.value
        this.error = null
      }
    } finally {
      this.loading = false
    }
  }

  async act(action: TaskAction): Promise<void> {
    const id = this.id
    if (!id) return
    this.busy = action
    this.actionError = null
    try {
      const outcome = await this.api[action]({ id })
      if (outcome.ok) {
        if (this.id === id) this.task = outcome.value
      } else this.actionError = outcome.error.message
    } finally {
      this.busy = null
    }
  }

  async resetBreaker(file: string): Promise<boolean> {
    this.busy = 'resetBreaker'
    this.actionError = null
    try {
      const outcome = await this.api.resetBreaker({ file })
      if (!outcome.ok) this.actionError = outcome.error.message
      return outcome.ok
    } finally {
      this.busy = null
    }
  }
}

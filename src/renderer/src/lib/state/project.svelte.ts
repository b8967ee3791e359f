import type { EngineSnapshot, FixloopApi } from '../../../../shared'

/**
 * Choosing the project folder: the native dialog through the bridge when there is one, a typed path
 * when it answers null (the web dashboard, or a cancelled dialog).
 */
export class ProjectPicker {
  typing = $state(false)
  path = $state('')
  busy = $state(false)
  error = $state<string | null>(null)
  /** Set when the dialog was not available, to explain why a text field appeared. */
  hint = $state<string | null>(null)

  constructor(
    private readonly api: FixloopApi,
    private readonly onSnapshot: (snapshot: EngineSnapshot) => void,
  ) {}

  async choose(): Promise<void> {
    this.busy = true
    this.error = null
    try {
      const outcome = await this.api.chooseProjectFolder({})
      if (!outcome.ok) {
        this.error = outcome.error.message
        return
      }
      if (outcome.value.path === null) {
        this.typing = true
        this.hint = 'No folder was chosen (there is no folder dialog here). Type the path instead.'
        return
      }
      await this.use(outcome.value.path)
    } finally {
      this.busy = false
    }
  }

  async use(path: string = this.path): Promise<boolean> {
    const trimmed = path.trim()
    if (!trimmed) {
      this.error = 'Type the full path of the project folder.'
      return false
    }
    this.busy = true
    this.error = null
    try {
      const outcome = await this.api.setProject({ path: trimmed })
      if (!outcome.ok) {
        this.error = outcome.error.message
        return false
      }
      this.onSnapshot(outcome.value)
      this.typing = false
      this.hint = null
      this.path = ''
      return true
    } finally {
      this.busy = false
    }
  }
}

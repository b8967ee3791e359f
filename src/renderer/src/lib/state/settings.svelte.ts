import type { EscalationChannel, FixloopApi, SecretName, SettingsView } from '../../../../shared'
import { draftPatch, fieldErrors, toDraft } from '../settings-draft'
import type { SettingsDraft } from '../settings-draft'

export interface TestResult {
  ok: boolean
  detail: string
}

/** Settings as the engine holds them, the form's draft, and what saving or testing said. */
export class SettingsState {
  view = $state.raw<SettingsView | null>(null)
  draft = $state<SettingsDraft | null>(null)
  saving = $state(false)
  /** The bridge's message when the last save was refused. */
  error = $state<string | null>(null)
  fieldErrors = $state.raw<Record<string, string>>({})
  saved = $state(false)
  secretErrors = $state.raw<Partial<Record<SecretName, string>>>({})
  tests = $state.raw<Partial<Record<EscalationChannel, TestResult>>>({})
  testing = $state<EscalationChannel | null>(null)

  patch = $derived(this.draft && this.view ? draftPatch(this.draft, this.view.settings) : {})
  dirty = $derived(Object.keys(this.patch).length > 0)
  apiKeySet = $derived(this.view?.secrets.anthropicApiKey ?? false)

  constructor(private readonly api: FixloopApi) {}

  async load(): Promise<void> {
    const outcome = await this.api.getSettings({})
    if (!outcome.ok) {
      this.error = outcome.error.message
      return
    }
    // A reload after a reconnect must not throw away what the user is typing.
    const keepDraft = this.dirty
    this.view = outcome.value
    if (!keepDraft) this.draft = toDraft(outcome.value.settings)
  }

  reset(): void {
    if (this.view) this.draft = toDraft(this.view.settings)
    this.error = null
    this.fieldErrors = {}
  }

  async save(): Promise<void> {
    if (!this.draft || !this.view || !this.dirty) return
    this.saving = true
    this.saved = false
    try {
      // The patch is what the form holds; a wrong value is the bridge's to refuse, with its reason.
      const patch = this.patch as Parameters<FixloopApi['updateSettings']>[0]['patch']
      const outcome = await this.api.updateSettings({ patch })
      if (outcome.ok) {
        this.view = outcome.value
        this.draft = toDraft(outcome.value.settings)
        this.error = null
        this.fieldErrors = {}
        this.saved = true
      } else {
        this.error = outcome.error.message
        this.fieldErrors = fieldErrors(outcome.error.message)
      }
    } finally {
      this.saving = false
    }
  }

  /** Stores a secret (null removes it). Returns true when it was stored. */
  async setSecret(name: SecretName, value: string | null): Promise<boolean> {
    const outcome = await this.api.setSecret({ name, value })
    if (outcome.ok) {
      this.view = { ...outcome.value, settings: this.view?.settings ?? outcome.value.settings }
      this.secretErrors = { ...this.secretErrors, [name]: undefined }
      return true
    }
    this.secretErrors = { ...this.secretErrors, [name]: outcome.error.message }
    return false
  }

  async test(channel: EscalationChannel): Promise<void> {
    this.testing = channel
    try {
      const outcome = await this.api.testEscalation({ channel })
      const result = outcome.ok
        ? { ok: outcome.value.ok, detail: outcome.value.detail }
        : { ok: false, detail: outcome.error.message }
      this.tests = { ...this.tests, [channel]: result }
    } finally {
      this.testing = null
    }
  }
}

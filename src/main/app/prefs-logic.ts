/**
 * The app's own settings, kept in electron-store: known projects, recent projects, the last project,
 * UI preferences (window bounds), each project's settings changed in the app, and the encrypted
 * secrets. Everything read back is validated: a hand-edited or damaged file costs a preference, never
 * a crash.
 */
import { z } from 'zod'
import type { SecretName, Settings, SettingsPatch } from '../../shared/settings'
import { Settings as SettingsSchema } from '../../shared/settings'

/** The part of electron-store (and conf, which it wraps) these settings use. Top-level keys only. */
export interface KeyValueStore {
  get(key: string): unknown
  set(key: string, value: unknown): void
  delete(key: string): void
}

/** Recent projects shown in the tray. @default 8 */
export const RECENT_MAX = 8
/** Known projects kept. @default 50 */
export const PROJECTS_MAX = 50

const Paths = z.array(z.string().min(1))
const Bounds = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
})
export type WindowBounds = z.infer<typeof Bounds>
const Ui = z.object({ windowBounds: Bounds.nullable().default(null) })
const ProjectSettings = z.record(z.string(), z.record(z.string(), z.unknown()))
const SecretBlobs = z.record(z.string(), z.string())

/** The keys of the store, for the schema-less electron-store. */
export const PREF_KEYS = {
  projects: 'projects',
  recent: 'recentProjects',
  last: 'lastProject',
  ui: 'ui',
  projectSettings: 'projectSettings',
  secrets: 'secrets',
} as const

export class AppPrefs {
  readonly #store: KeyValueStore

  constructor(store: KeyValueStore) {
    this.#store = store
  }

  #read<T>(key: string, schema: z.ZodType<T>, fallback: T): T {
    const parsed = schema.safeParse(this.#store.get(key))
    return parsed.success ? parsed.data : fallback
  }

  projects(): string[] {
    return this.#read(PREF_KEYS.projects, Paths, [])
  }

  recentProjects(): string[] {
    return this.#read(PREF_KEYS.recent, Paths, [])
  }

  lastProject(): string | null {
    return this.#read(PREF_KEYS.last, z.string().min(1).nullable(), null)
  }

  /** Records that `path` was opened: first in the recent list, known, and the one to reopen. */
  rememberProject(path: string): void {
    this.#store.set(
      PREF_KEYS.recent,
      [path, ...this.recentProjects().filter((p) => p !== path)].slice(0, RECENT_MAX),
    )
    const known = this.projects()
    if (!known.includes(path))
      this.#store.set(PREF_KEYS.projects, [...known, path].slice(-PROJECTS_MAX))
    this.#store.set(PREF_KEYS.last, path)
  }

  clearRecent(): void {
    this.#store.set(PREF_KEYS.recent, [])
  }

  windowBounds(): WindowBounds | null {
    return this.#read(PREF_KEYS.ui, Ui, { windowBounds: null }).windowBounds
  }

  setWindowBounds(bounds: WindowBounds): void {
    const parsed = Bounds.safeParse(bounds)
    if (!parsed.success) return
    const ui = this.#read(PREF_KEYS.ui, Ui, { windowBounds: null })
    this.#store.set(PREF_KEYS.ui, { ...ui, windowBounds: parsed.data })
  }

  /** The settings of `project` that were changed in the app (top-level keys). */
  settingsOverrides(project: string): Record<string, unknown> {
    return this.#read(PREF_KEYS.projectSettings, ProjectSettings, {})[project] ?? {}
  }

  setSettingsOverrides(project: string, overrides: Record<string, unknown>): void {
    const all = this.#read(PREF_KEYS.projectSettings, ProjectSettings, {})
    if (Object.keys(overrides).length === 0) delete all[project]
    else all[project] = overrides
    this.#store.set(PREF_KEYS.projectSettings, all)
  }

  /** The stored (encrypted, base64) form of a secret. */
  secretBlob(name: SecretName): string | null {
    return this.#read(PREF_KEYS.secrets, SecretBlobs, {})[name] ?? null
  }

  setSecretBlob(name: SecretName, blob: string | null): void {
    const all = this.#read(PREF_KEYS.secrets, SecretBlobs, {})
    if (blob === null) delete all[name]
    else all[name] = blob
    this.#store.set(PREF_KEYS.secrets, all)
  }
}

/**
 * The top-level settings in which `current` differs from `base` (what the project's files and
 * environment give): only these are kept, so a later change to `fixloop.config.json` still applies
 * to everything the user did not change in the app.
 */
export function settingsOverrides(base: Settings, current: Settings): SettingsPatch {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(current) as (keyof Settings)[]) {
    if (JSON.stringify(current[key]) !== JSON.stringify(base[key])) out[key] = current[key]
  }
  return out as SettingsPatch
}

/**
 * `base` with the stored overrides applied. An override that no longer validates (the schema
 * changed, the file was edited) is dropped and named, the others still apply.
 */
export function applyOverrides(
  base: Settings,
  overrides: Record<string, unknown>,
): { settings: Settings; dropped: string[] } {
  const dropped: string[] = []
  let settings = base
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in SettingsSchema.shape)) {
      dropped.push(key)
      continue
    }
    const parsed = SettingsSchema.safeParse({ ...settings, [key]: value })
    if (parsed.success) settings = parsed.data
    else dropped.push(key)
  }
  return { settings, dropped }
}

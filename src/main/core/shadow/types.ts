import type { LogLevel } from '../../../shared/domain'

/** How the shadow module reports what it skipped or fell back from. */
export type ShadowLog = (level: LogLevel, message: string) => void

/** What one sync did to a shadow. */
export interface SyncReport {
  /** Wall time, in milliseconds. */
  ms: number
  /** Files copied from the project. */
  copied: number
  /** Paths removed from the shadow (a removed folder counts once). */
  removed: number
  /** Symlinks written: dependency entries, workspace links, the user's own links. */
  linked: number
  /** Project files left out: unreadable, vanished while copied, or links refused as dangerous. */
  skipped: number
  /** Whether the whole project was compared (first sync, reconcile) rather than the noted paths. */
  full: boolean
}

/** What a release did to bring its shadow back to a faithful mirror. */
export interface ReleaseReport extends SyncReport {
  /** Files and folders of the shadow compared with their stamps (or copied, after a full sync). */
  checked: number
  /** Of those, how many the editor or the checks had changed (before they were compared with the project). */
  changed: number
}

/** A shadow workspace held by one task. */
export interface ShadowLease {
  /** Absolute real path of this shadow's root: checks run here, the editor writes here. */
  readonly root: string
  /** A private temp folder for this shadow's check processes, emptied at lease and release. */
  readonly tmpDir: string
  /**
   * What an OS sandbox must let check processes write: the root, the temp folder, and the tool
   * cache folders inside the shadow's dependency folders (`node_modules/.vite`…).
   */
  readonly writable: string[]
  /**
   * Outside the shadow, what check processes read through its links: the project's dependency
   * folders (real paths). Under `/tmp` a sandbox must bind these explicitly.
   */
  readonly readable: string[]
  /** What `lease()` cost, in milliseconds. */
  readonly syncMs: number
  /** How many paths `lease()` copied, removed or linked. */
  readonly synced: number
  /**
   * Makes the shadow a faithful mirror again (the editor's `touched` files, every file the checks
   * created, changed or deleted, the editor's `.fixloop/`), then frees it. Never writes the project.
   * A second call returns the first one's result.
   */
  release(touched?: readonly string[]): Promise<ReleaseReport>
}

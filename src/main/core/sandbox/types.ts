/** How strongly Fixloop insists on an OS sandbox around checks (the `sandbox` setting). */
export type SandboxMode = 'auto' | 'required' | 'off'

/** The OS mechanism in use: bubblewrap on Linux, Seatbelt (`sandbox-exec`) on macOS, or none. */
export type SandboxKind = 'bwrap' | 'sandbox-exec' | 'none'

export interface SandboxStatus {
  /**
   * The mechanism found for this platform. `kind` is set with `active: false` when the tool is
   * installed but cannot create a sandbox here (its probe failed); `'none'` when there is nothing to
   * try (Windows, `off`, not installed).
   */
  kind: SandboxKind
  /** Whether `wrap` confines checks. */
  active: boolean
  /** One sentence for the health screen: what checks may write, or why they are not confined. */
  detail: string
}

/** What one check may touch. Every path must be absolute. */
export interface WrapSpec {
  /** Working directory of the check (normally the shadow workspace). Always visible. */
  cwd: string
  /**
   * Directories (or existing files) the check may write: the shadow workspace, a report folder, a
   * runner cache outside the shadow. Missing directories are created before the start, because a
   * bind needs something to bind and the check would have been allowed to create them anyway.
   * A `.git` directly inside one of them stays read-only, so a check cannot plant a hook that a
   * later, unsandboxed git command would run.
   */
  writable: readonly string[]
  /**
   * The check's private temp folder (created when missing). On Linux it replaces `/tmp` and
   * `os.tmpdir()` inside the sandbox; on macOS it is one more writable folder.
   */
  tmpDir: string
  /**
   * Paths that must stay visible (read-only) although they lie under `/tmp` or `os.tmpdir()`, which
   * the private temp folder hides on Linux, e.g. the real project a shadow's `node_modules` link
   * points into. Everything else on the machine is visible read-only anyway. Missing ones are
   * skipped. @default []
   */
  readable?: readonly string[]
}

export interface Sandbox {
  readonly status: SandboxStatus
  /**
   * The argv to spawn instead of `argv` (a copy of `argv` when the sandbox is inactive). Spawn it
   * without a shell. May create the missing `writable` folders and `tmpDir`; throws a `RangeError`
   * for a relative path in `spec`.
   */
  wrap(argv: readonly string[], spec: WrapSpec): string[]
}

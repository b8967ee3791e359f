/**
 * A shadow workspace operation failed on a path. The message says what was being done, where, why
 * (the OS's words), and what the user can do, so the engine can show it unchanged.
 */
export class ShadowError extends Error {
  override readonly name = 'ShadowError'
  constructor(
    message: string,
    /** The path the operation failed on. */
    readonly path: string,
    /** The OS error code (`EACCES`, `ENOSPC`…), when there was one. */
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** Wraps an I/O error: `<what> <path>: <OS message>. <hint>` */
export function shadowIoError(what: string, target: string, error: unknown): ShadowError {
  const code = errorCode(error)
  const reason = error instanceof Error ? error.message : String(error)
  return new ShadowError(`${what} ${target}: ${reason}. ${hintFor(code)}`, target, code, {
    cause: error,
  })
}

export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined
  return typeof error.code === 'string' ? error.code : undefined
}

/** ENOENT and ENOTDIR: the path (or one of its folders) is not there, which a sync expects. */
export function isMissing(error: unknown): boolean {
  const code = errorCode(error)
  return code === 'ENOENT' || code === 'ENOTDIR'
}

function hintFor(code: string | undefined): string {
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return 'The disk holding the shadow workspace is full: free some space or set FIXLOOP_CACHE_DIR to a folder on another disk.'
    case 'EACCES':
    case 'EPERM':
      return 'Fixloop may not write there: check the folder permissions, or set FIXLOOP_CACHE_DIR to a folder you own.'
    case 'EROFS':
      return 'That file system is read-only: set FIXLOOP_CACHE_DIR to a writable folder.'
    case 'EMFILE':
    case 'ENFILE':
      return 'Too many files are open: close other programs or raise the limit (ulimit -n).'
    default:
      return 'The shadow workspace will be rebuilt before the next task; if this repeats, delete the folder named above.'
  }
}

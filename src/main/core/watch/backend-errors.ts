/** What a backend failure means for the watcher. */
export type BackendFailure = 'limit' | 'permission' | 'missing' | 'other'

/**
 * Classifies an error from a backend. The native module reports errno only as strerror text inside
 * the message (`inotify_add_watch on '…' failed: No space left on device`), so both forms are read.
 */
export function classifyBackendError(error: unknown): BackendFailure {
  const code = errorCode(error)
  const message = error instanceof Error ? error.message : String(error)
  if (
    code === 'ENOSPC' ||
    code === 'EMFILE' ||
    /No space left on device|Too many open files/i.test(message)
  ) {
    return 'limit'
  }
  if (
    code === 'EACCES' ||
    code === 'EPERM' ||
    /Permission denied|Operation not permitted/i.test(message)
  ) {
    return 'permission'
  }
  if (
    code === 'ENOENT' ||
    code === 'ENOTDIR' ||
    /No such file or directory|Not a directory/i.test(message)
  ) {
    return 'missing'
  }
  return 'other'
}

export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined
  return typeof error.code === 'string' ? error.code : undefined
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** The user-facing message when the OS limit on watches is reached. */
export function watchLimitMessage(detail: string): string {
  return (
    `The system's limit on file watches was reached (${detail}). Fixloop is watching by polling ` +
    'instead, which is slower and uses more CPU. On Linux raise the limit, e.g. ' +
    '`sudo sysctl fs.inotify.max_user_watches=524288` (persist it in /etc/sysctl.d/), ' +
    'or ignore more folders.'
  )
}

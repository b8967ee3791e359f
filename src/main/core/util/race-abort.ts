/**
 * `promise`, or a rejection with `error()` as soon as `signal` aborts (at once when it already
 * has). The work behind the promise goes on: this only stops waiting for it — for a lookup shared
 * by several callers, or a notifier that may never return.
 */
export function raceAbort<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  error: (reason: unknown) => Error,
): Promise<T> {
  if (!signal) return promise
  if (signal.aborted) return Promise.reject(error(signal.reason))
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(error(signal.reason))
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (failure: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(failure)
      },
    )
  })
}

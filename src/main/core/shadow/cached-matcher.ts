import type { IgnoreMatcher } from '../watch/ignore-rules'

/** Answers kept before the cache starts over (about 100 bytes each). */
const MAX_ENTRIES = 500_000

/**
 * The ignore matcher with its answers remembered. A full reconcile asks about every path of the
 * project, and the gitignore matcher costs ~7 µs an answer (it re-checks every parent folder): a
 * third of a 20,000-file size/mtime pass. Answers only change when a `.gitignore` does, and
 * `invalidate` (which the pool calls when one is noted) forgets them all.
 */
export function cachedMatcher(inner: IgnoreMatcher): IgnoreMatcher {
  // One map per kind of question, so a lookup needs no key built
  const files = new Map<string, boolean>()
  const dirs = new Map<string, boolean>()
  const unknown = new Map<string, boolean>()
  return {
    root: inner.root,
    ignores(relPath, isDir) {
      const answers = isDir === undefined ? unknown : isDir ? dirs : files
      let answer = answers.get(relPath)
      if (answer === undefined) {
        answer = inner.ignores(relPath, isDir)
        if (answers.size >= MAX_ENTRIES) answers.clear()
        answers.set(relPath, answer)
      }
      return answer
    },
    ignoredDirGlobs: () => inner.ignoredDirGlobs(),
    invalidate(relDir) {
      for (const answers of [files, dirs, unknown]) answers.clear()
      inner.invalidate(relDir)
    },
  }
}

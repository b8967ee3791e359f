import type { Clock } from '../util/clock'
import type { IgnoreMatcher } from '../watch/ignore-rules'
import type { FileCopier } from './file-copy'
import type { ShadowLog } from './types'

/** What every shadow of a pool shares: the options, resolved, and the collaborators. */
export interface PoolContext {
  /** Real path of the project root. */
  projectRoot: string
  /** Real path of the cache folder. */
  cacheRoot: string
  ignore: IgnoreMatcher
  dependencyDirs: ReadonlySet<string>
  cacheDirs: ReadonlySet<string>
  copier: FileCopier
  clock: Clock
  log: ShadowLog
  /** Logs a warning once per key for the life of the pool. */
  warnOnce: (key: string, message: string) => void
  platform: NodeJS.Platform
}

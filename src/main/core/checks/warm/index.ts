/** Warm runners: long-lived test runner processes that take checks instead of a cold start each. */
export { WarmRunners } from './warm-runners'
export type { WarmRunnersOptions } from './warm-runners'

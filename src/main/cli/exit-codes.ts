/**
 * Exit codes of `fixloop`: 0 success · 1 the job failed (red checks, a failed task) · 2 usage or
 * configuration error · 3 another Fixloop instance holds the project.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, locked: 3 } as const

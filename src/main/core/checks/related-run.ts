/**
 * The related ring, run: the planned checks, and for a module-graph run the selection its report
 * names. When the graph finds no test for the change, the naming conventions get their turn, and
 * after them the whole suite (planNamedChecks falls through to it).
 */
import type { CheckResult, SelectedTest } from '../../../shared/domain'
import { planNamedChecks, planRelatedChecks } from './plan-checks'
import type { PlanOptions } from './plan-checks'
import { executeCheck } from './run-check'
import type { RunCheckOptions } from './run-check'
import type { TestTally } from './parse-common'
import type { CheckEvent, CheckExecution, PlannedCheck, RunnerInfo } from './types'

export interface RelatedRun {
  /** The checks as they ran (a graph run that found nothing is replaced by its fallback). */
  planned: PlannedCheck[]
  results: CheckResult[]
  /** Each result's tests, passing ones by name (in memory only); null where unreadable. */
  tests: (TestTally | null)[]
  selection: SelectedTest[]
}

export interface RingOptions extends RunCheckOptions, PlanOptions {
  /** Live progress for the log. */
  onCheck?: (event: CheckEvent) => void
}

export async function runRelated(
  runner: RunnerInfo,
  changedFiles: readonly string[],
  options: RingOptions,
): Promise<RelatedRun> {
  // The index takes a change in a moment after the watcher reports it: the plan waits for that.
  if (options.index?.ready) await options.index.settled()
  const plan = planRelatedChecks(runner.root, runner, changedFiles, options)
  const planned: PlannedCheck[] = []
  const results: CheckResult[] = []
  const tests: (TestTally | null)[] = []
  const selection: SelectedTest[] = [...plan.selection]
  for (const check of plan.checks) {
    const execution = await runOne(check, options)
    const { result, testFiles } = execution
    if (check.graph && testFiles && testFiles.length === 0 && result.passed) {
      // The graph knows no test for these files: ask the naming conventions (then the suite).
      const fallback = planNamedChecks(runner.root, runner, check.graph.changedFiles, options)
      for (const next of fallback.checks) {
        const ran = await runOne(next, options)
        planned.push(next)
        results.push(ran.result)
        tests.push(ran.tests)
      }
      selection.push(...fallback.selection)
      continue
    }
    planned.push(check)
    results.push(result)
    tests.push(execution.tests)
    // A graph run without a report (the runner crashed) names no tests; its result says why.
    if (check.graph && testFiles)
      selection.push(...graphSelection(testFiles, check.graph.changedFiles))
  }
  return { planned, results, tests, selection }
}

/** Runs one check with progress events around it. */
export async function runOne(check: PlannedCheck, options: RingOptions): Promise<CheckExecution> {
  options.onCheck?.({ type: 'start', name: check.name, command: check.command })
  const execution = await executeCheck(check, options)
  options.onCheck?.({ type: 'end', result: execution.result })
  return execution
}

function graphSelection(testFiles: readonly string[], changed: readonly string[]): SelectedTest[] {
  // The report does not say which change pulled a test in; with one change it can only be that one.
  const because = changed.length === 1 ? changed[0] : undefined
  return testFiles.map((file) =>
    because ? { file, reason: 'graph', because } : { file, reason: 'graph' },
  )
}

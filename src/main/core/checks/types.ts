/**
 * The shapes the check runner passes between detection, planning and running. The results that
 * leave this folder are the contract's own (`CheckResult`, `SelectedTest` in src/shared/domain).
 */
import type { CheckResult, SelectedTest } from '../../../shared/domain'
import type { TestTally } from './parse-common'

/** Which test runner a project uses, as detected from its package.json or settings. */
export type RunnerKind = 'vitest' | 'jest' | 'node' | 'npm' | 'config'

export interface RunnerInfo {
  kind: RunnerKind
  /** Absolute project root; every check runs here. */
  root: string
  /**
   * The argv prefix that starts the runner, already resolved so it can be spawned without a shell:
   * `['/p/node_modules/.bin/vitest']`, or `['C:\\…\\node.exe', 'C:\\p\\node_modules\\vitest\\vitest.mjs']`
   * for a Windows `.cmd` shim.
   */
  exec: string[]
  /** Options kept from the project's own test script (`--config x`, `--import tsx`), passed on every run. */
  options: string[]
  /** node: the test paths the script names, for the whole suite (empty: node's own discovery). */
  suiteArgs: string[]
  /** Environment assignments taken from the test script (`FOO=1 node --test`). */
  env: Record<string, string>
  /** config: the user's command with `{files}` / `{tests}` placeholders (first element unresolved). */
  template: string[] | null
  /** For health and logs, e.g. "vitest (node_modules/.bin/vitest, from package.json)". */
  description: string
}

/** How a check's machine-readable result is read. */
export type ReportFormat = 'vitest-json' | 'jest-json' | 'node-tap' | 'text'

/** Where a planned command asks the runner to write its report; `runCheck` swaps in a fresh temp file. */
export const REPORT_PLACEHOLDER = '{report}'

/** A selection entry that stands for "the whole suite" when the test files are not known up front. */
export const WHOLE_SUITE = '*'

export interface PlannedCheck {
  /** "related", "suite", an extra check's name, or "related (re-run 1/2)". */
  name: string
  /** Full argv, resolved; elements may contain `{report}` (see REPORT_PLACEHOLDER). */
  command: string[]
  cwd: string
  /** Added to the check environment (after CI=true and the colour switches). */
  env: Record<string, string>
  /** How to read the result: a report file for JSON/TAP formats, the output tail for 'text'. */
  format: ReportFormat
  /** Why each test is in this run. Empty for a graph run until its report names the files. */
  selection: SelectedTest[]
  /**
   * Set on a runner's module-graph run (vitest related, jest --findRelatedTests): the selection is
   * read from the report's test files, marked 'graph'. No files means the graph found no tests.
   */
  graph: { changedFiles: string[] } | null
  /** True when this run is the whole suite (so a verification ring need not run it twice). */
  wholeSuite: boolean
  /** Set when the command could not be resolved; running it yields a red result with this text. */
  error?: string
}

/** `runCheck`'s result plus what the runner's report said about which tests ran. */
export interface CheckExecution {
  result: CheckResult
  /** Project-relative test files named in the report (JSON/TAP); null when the format cannot say. */
  testFiles: string[] | null
  /**
   * The tests that ran, passing ones by name: what confirms a fix (`confirmFix`). Kept in memory
   * only; the result carries the counts. Null when the output cannot be read per test.
   */
  tests: TestTally | null
}

/** Live progress, for the log. */
export type CheckEvent =
  { type: 'start'; name: string; command: string[] } | { type: 'end'; result: CheckResult }

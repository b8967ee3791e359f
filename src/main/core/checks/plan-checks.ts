/**
 * Turns "these files changed" into commands: the runner's module graph first (vitest related, jest
 * --findRelatedTests), test files found by naming convention second, the whole suite last. Every
 * plan says why each test is in it (`SelectedTest`).
 */
import path from 'node:path'
import type { CheckResult, SelectedTest } from '../../../shared/domain'
import type { CheckCommand } from '../../../shared/settings'
import { resolveExecutable, resolveNode } from './resolve-bin'
import type { ResolveOptions } from './resolve-bin'
import { expandTemplate, planConfigCheck } from './plan-config'
import {
  JEST_REPORT,
  NODE_REPORT,
  VITEST_REPORT,
  asArg,
  base,
  normalizeChanged,
} from './planned-check'
import { filesFor } from './project-files'
import type { ProjectFiles } from './project-files'
import { isGlob, isTestFile, selectTestsByName } from './test-files'
import { WHOLE_SUITE } from './types'
import type { PlannedCheck, RunnerInfo } from './types'

export interface PlanOptions {
  /**
   * The project's files (relative, forward slashes), when the caller already has them.
   * @default the index's, or a walk of the runner's root
   */
  files?: readonly string[]
  /**
   * The engine's index of the project's files (`indexedFiles`), rooted at the runner's root, a folder
   * above it, or a faithful copy of either (`filesAt`). Used once it is ready, so choosing tests
   * walks no tree; until then the runner's root is walked. @default none: walked
   */
  index?: ProjectFiles | null
  /** Told when planning walks the tree, and why (for the debug log). @default none */
  debug?: (message: string) => void
}

export interface RelatedPlan {
  checks: PlannedCheck[]
  /** Why each test runs. Empty for a graph run: its report names the tests (see `runRelated`). */
  selection: SelectedTest[]
}

/** The first ring: tests related to the changed files. */
export function planRelatedChecks(
  root: string,
  runner: RunnerInfo,
  changedFiles: readonly string[],
  options: PlanOptions = {},
): RelatedPlan {
  const changed = normalizeChanged(root, changedFiles)
  if (changed.length === 0) return single(planSuiteCheck(runner, 'related'))
  if (runner.kind === 'config')
    return single(
      planConfigCheck(runner, changed, options) ?? planSuiteCheck(runner, 'related', options),
    )
  if (runner.kind === 'vitest' || runner.kind === 'jest') {
    const abs = changed.map((f) => path.join(runner.root, f))
    const command =
      runner.kind === 'vitest'
        ? [
            ...runner.exec,
            'related',
            '--run',
            '--passWithNoTests',
            ...runner.options,
            ...VITEST_REPORT,
            ...abs,
          ]
        : [
            ...runner.exec,
            ...runner.options,
            ...JEST_REPORT,
            '--passWithNoTests',
            '--findRelatedTests',
            ...abs,
          ]
    const format = runner.kind === 'vitest' ? 'vitest-json' : 'jest-json'
    return single(base(runner, 'related', { command, format, graph: { changedFiles: changed } }))
  }
  if (runner.kind === 'node') return planNamedChecks(root, runner, changed, options)
  return single(planSuiteCheck(runner, 'related'))
}

/** Tests found by naming convention for the changed files; the whole suite when there are none. */
export function planNamedChecks(
  root: string,
  runner: RunnerInfo,
  changedFiles: readonly string[],
  options: PlanOptions = {},
): RelatedPlan {
  const changed = normalizeChanged(root, changedFiles)
  if (runner.kind === 'npm' || runner.kind === 'config')
    return planRelatedChecks(root, runner, changed, options)
  const { files, under } = filesFor(runner, options, changed)
  const tests = files.testFiles(runner.kind, under)
  const { selection, unpaired } = selectTestsByName(changed, tests, runner.kind)
  // One change nothing is named after is enough: its effects are unknown, so the suite runs.
  if (selection.length === 0 || unpaired.length > 0)
    return single(planSuiteCheck(runner, 'related', options))
  return single(planTestFilesCheck(runner, 'related', selection))
}

/** Runs the given test files with the project's runner (a name-based selection, or a re-run). */
export function planTestFilesCheck(
  runner: RunnerInfo,
  name: string,
  selection: SelectedTest[],
): PlannedCheck {
  const files = selection.map((s) => asArg(s.file))
  switch (runner.kind) {
    case 'vitest':
      return base(runner, name, {
        command: [
          ...runner.exec,
          'run',
          '--passWithNoTests',
          ...runner.options,
          ...VITEST_REPORT,
          ...files,
        ],
        format: 'vitest-json',
        selection,
      })
    case 'jest':
      return base(runner, name, {
        command: [
          ...runner.exec,
          ...runner.options,
          ...JEST_REPORT,
          '--passWithNoTests',
          '--runTestsByPath',
          ...files,
        ],
        format: 'jest-json',
        selection,
      })
    case 'node':
      return base(runner, name, {
        command: [...runner.exec, ...runner.options, '--test', ...NODE_REPORT, ...files],
        format: 'node-tap',
        selection,
      })
    case 'config': {
      const tests = selection.map((s) => s.file)
      return base(runner, name, { command: expandTemplate(runner, tests, tests), selection })
    }
    case 'npm':
      return { ...planSuiteCheck(runner, name), selection }
  }
}

/** The whole suite, as the project runs it. */
export function planSuiteCheck(
  runner: RunnerInfo,
  name = 'suite',
  options: PlanOptions = {},
): PlannedCheck {
  const selection: SelectedTest[] = [
    { file: WHOLE_SUITE, reason: runner.kind === 'config' ? 'config' : 'fallback' },
  ]
  const suite = { selection, wholeSuite: true }
  switch (runner.kind) {
    case 'vitest':
      return base(runner, name, {
        ...suite,
        command: [...runner.exec, 'run', ...runner.options, ...VITEST_REPORT],
        format: 'vitest-json',
      })
    case 'jest':
      return base(runner, name, {
        ...suite,
        command: [...runner.exec, ...runner.options, ...JEST_REPORT],
        format: 'jest-json',
      })
    case 'node': {
      // The shell expanded globs in the script; without one we expand them here.
      const chosen = runner.suiteArgs.some(isGlob) ? filesFor(runner, options) : null
      const args = runner.suiteArgs.flatMap((a) =>
        chosen && isGlob(a) ? chosen.files.matchGlob(a, chosen.under).map(asArg) : [a],
      )
      return base(runner, name, {
        ...suite,
        command: [...runner.exec, ...runner.options, '--test', ...NODE_REPORT, ...args],
        format: 'node-tap',
      })
    }
    case 'npm':
      return base(runner, name, { ...suite, command: [...runner.exec, ...runner.options] })
    case 'config':
      return base(runner, name, { ...suite, command: expandTemplate(runner, [], []) })
  }
}

/**
 * Re-runs a red check alone: only the test files that failed when the report names them, the same
 * command otherwise.
 */
export function planRerun(
  runner: RunnerInfo,
  check: PlannedCheck,
  result: CheckResult,
  label: string,
): PlannedCheck {
  const files = [
    ...new Set(result.failures.map((f) => f.file).filter((f): f is string => !!f)),
  ].filter((f) => !path.isAbsolute(f) && isTestFile(f, runner.kind))
  if (files.length === 0 || runner.kind === 'npm' || runner.kind === 'config')
    return { ...check, name: label, graph: null }
  const selection = files.map(
    (file): SelectedTest =>
      check.selection.find((s) => s.file === file) ?? {
        file,
        reason: check.graph ? 'graph' : 'name',
      },
  )
  return planTestFilesCheck(runner, label, selection)
}

/** The extra checks from settings (typecheck, lint…); `{files}` expands to the changed files. */
export function planExtraChecks(
  root: string,
  extras: readonly CheckCommand[],
  changedFiles: readonly string[],
  resolve: Omit<ResolveOptions, 'root'> = {},
): PlannedCheck[] {
  const changed = normalizeChanged(root, changedFiles)
  return extras.map((extra): PlannedCheck => {
    const [bin, ...rest] = extra.command as [string, ...string[]]
    const options = { ...resolve, root }
    const exec = bin === 'node' ? resolveNode(options) : resolveExecutable(bin, options)
    const args = rest.flatMap((word) => {
      if (word === '{files}') return changed.map(asArg)
      if (!word.includes('{files}')) return [word]
      return changed.length === 0 ? [] : [word.replace(/\{files\}/g, changed.join(' '))]
    })
    return {
      name: extra.name,
      command: [...(exec ?? [bin]), ...args],
      cwd: root,
      env: {},
      format: 'text',
      selection: [],
      graph: null,
      wholeSuite: false,
      ...(exec
        ? {}
        : {
            error: `"${bin}" for the ${extra.name} check is neither in node_modules/.bin nor on PATH.`,
          }),
    }
  })
}

function single(check: PlannedCheck): RelatedPlan {
  return { checks: [check], selection: check.selection }
}

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
import { isGlob, isTestFile, listProjectFiles, matchGlob, selectTestsByName } from './test-files'
import { REPORT_PLACEHOLDER, WHOLE_SUITE } from './types'
import type { PlannedCheck, RunnerInfo } from './types'

export interface PlanOptions {
  /**
   * The project's files (relative, forward slashes), when the caller already has them; walked from
   * the root otherwise.
   */
  files?: readonly string[]
}

export interface RelatedPlan {
  checks: PlannedCheck[]
  /** Why each test runs. Empty for a graph run: its report names the tests (see `runRelated`). */
  selection: SelectedTest[]
}

const VITEST_REPORT = [
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${REPORT_PLACEHOLDER}`,
]
const JEST_REPORT = ['--json', `--outputFile=${REPORT_PLACEHOLDER}`]
const NODE_REPORT = [
  '--test-reporter=tap',
  `--test-reporter-destination=${REPORT_PLACEHOLDER}`,
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
]

/** Project-relative, forward slashes, whatever the caller passed. */
export function normalizeChanged(root: string, files: readonly string[]): string[] {
  const out = files.map((f) => {
    const rel = path.isAbsolute(f) ? path.relative(root, f) : f
    return rel.split(path.sep).join('/').replace(/\\/g, '/').replace(/^\.\//, '')
  })
  return [...new Set(out)].filter((f) => f.length > 0 && !f.startsWith('../'))
}

/** A path argument that can never be read as an option, even if the file name starts with "-". */
const asArg = (file: string) => (file.startsWith('-') ? `./${file}` : file)

function base(runner: RunnerInfo, name: string, extra: Partial<PlannedCheck>): PlannedCheck {
  return {
    name,
    command: [],
    cwd: runner.root,
    env: { ...runner.env },
    format: 'text',
    selection: [],
    graph: null,
    wholeSuite: false,
    ...extra,
  }
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
  if (runner.kind === 'config') return single(planConfigCheck(runner, changed, options))
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
  const files = options.files ?? listProjectFiles(runner.root)
  const tests = files.filter((f) => isTestFile(f, runner.kind))
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
      const files = runner.suiteArgs.some(isGlob)
        ? (options.files ?? listProjectFiles(runner.root))
        : []
      const args = runner.suiteArgs.flatMap((a) =>
        isGlob(a) ? matchGlob(a, files).map(asArg) : [a],
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
 * The settings' testCommand: `{files}` becomes the changed files (for commands that select tests
 * themselves, like `vitest related`), `{tests}` the tests found by naming convention. An element that
 * only holds a placeholder expands to one argument per file; inside a longer element the files are
 * joined by spaces. With nothing to put in, the command runs without them: the whole suite.
 */
function planConfigCheck(
  runner: RunnerInfo,
  changed: readonly string[],
  options: PlanOptions,
): PlannedCheck {
  const template = runner.template ?? []
  const usesTests = template.some((t) => t.includes('{tests}'))
  const usesFiles = template.some((t) => t.includes('{files}'))
  const named = usesTests
    ? selectTestsByName(
        changed,
        (options.files ?? listProjectFiles(runner.root)).filter((f) => isTestFile(f, 'config')),
        'config',
      )
    : null
  // As for node: a change nothing is named after means the whole suite.
  const byName = named && named.unpaired.length === 0 ? named.selection : []
  const byConfig: SelectedTest[] = usesFiles
    ? changed.map((file) => ({ file, reason: 'config', because: file }))
    : []
  const selection = [...byName, ...byConfig]
  if (selection.length === 0) return planSuiteCheck(runner, 'related', options)
  return base(runner, 'related', {
    command: expandTemplate(
      runner,
      changed,
      byName.map((s) => s.file),
    ),
    selection,
  })
}

function expandTemplate(
  runner: RunnerInfo,
  files: readonly string[],
  tests: readonly string[],
): string[] {
  const args = (runner.template ?? []).slice(1).flatMap((word) => {
    if (word === '{files}') return files.map(asArg)
    if (word === '{tests}') return tests.map(asArg)
    if (!word.includes('{files}') && !word.includes('{tests}')) return [word]
    // "--grep={tests}" with no tests would be an empty filter: leave the element out.
    if (
      (word.includes('{files}') && files.length === 0) ||
      (word.includes('{tests}') && tests.length === 0)
    )
      return []
    return [word.replace(/\{files\}/g, files.join(' ')).replace(/\{tests\}/g, tests.join(' '))]
  })
  return [...runner.exec, ...args]
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

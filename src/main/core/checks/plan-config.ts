/**
 * Plans for the settings' `testCommand`, a project's own command line with placeholders.
 */
import type { SelectedTest } from '../../../shared/domain'
import { asArg, base } from './planned-check'
import type { PlanOptions } from './plan-checks'
import { filesFor } from './project-files'
import { selectTestsByName } from './test-files'
import type { PlannedCheck, RunnerInfo } from './types'

/**
 * The settings' testCommand: `{files}` becomes the changed files (for commands that select tests
 * themselves, like `vitest related`), `{tests}` the tests found by naming convention. An element that
 * only holds a placeholder expands to one argument per file; inside a longer element the files are
 * joined by spaces. Null when there is nothing to put in: the caller runs the whole suite (the
 * command without its placeholders).
 */
export function planConfigCheck(
  runner: RunnerInfo,
  changed: readonly string[],
  options: PlanOptions,
): PlannedCheck | null {
  const template = runner.template ?? []
  const usesTests = template.some((t) => t.includes('{tests}'))
  const usesFiles = template.some((t) => t.includes('{files}'))
  const chosen = usesTests ? filesFor(runner, options, changed) : null
  const named = chosen
    ? selectTestsByName(changed, chosen.files.testFiles('config', chosen.under), 'config')
    : null
  // As for node: a change nothing is named after means the whole suite.
  const byName = named && named.unpaired.length === 0 ? named.selection : []
  const byConfig: SelectedTest[] = usesFiles
    ? changed.map((file) => ({ file, reason: 'config', because: file }))
    : []
  const selection = [...byName, ...byConfig]
  if (selection.length === 0) return null
  return base(runner, 'related', {
    command: expandTemplate(
      runner,
      changed,
      byName.map((s) => s.file),
    ),
    selection,
  })
}

export function expandTemplate(
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

/**
 * Reads the JSON report of jest (`--json --outputFile`) and vitest (`--reporter=json`, which writes
 * the same jest-compatible shape): failing assertions with their suite path, plus whole-file
 * failures (an import error fails the file with no assertions), and the tally: each assertion
 * result is one test (passed, failed, or pending/skipped/todo/disabled counted as skipped).
 */
import type { TestFailure } from '../../../shared/domain'
import { clip, projectPath } from './parse-common'
import type { ParsedRun, TestTally } from './parse-common'

interface AssertionJson {
  ancestorTitles?: unknown
  title?: unknown
  fullName?: unknown
  status?: unknown
  failureMessages?: unknown
}

interface FileJson {
  name?: unknown
  status?: unknown
  message?: unknown
  assertionResults?: unknown
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '')
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])

/** @throws SyntaxError when the text is not a jest-style report. */
export function parseJestJson(text: string, root: string): ParsedRun {
  const report: unknown = JSON.parse(text)
  if (
    !report ||
    typeof report !== 'object' ||
    !Array.isArray((report as { testResults?: unknown }).testResults)
  )
    throw new SyntaxError('not a jest/vitest JSON report: testResults is missing')
  const failures: TestFailure[] = []
  const testFiles: string[] = []
  const tests: TestTally = {
    counts: { passed: 0, failed: 0, skipped: 0 },
    named: true,
    passed: [],
    emptyFiles: [],
  }
  for (const entry of (report as { testResults: unknown[] }).testResults) {
    const fileJson = (entry ?? {}) as FileJson
    const file = projectPath(root, str(fileJson.name))
    if (file) testFiles.push(file)
    let failedInFile = 0
    const results = arr(fileJson.assertionResults)
    if (results.length === 0 && fileJson.status === 'passed' && file) tests.emptyFiles.push(file)
    for (const item of results) {
      const a = (item ?? {}) as AssertionJson
      const titles = [...arr(a.ancestorTitles).map(str), str(a.title)].filter((t) => t.length > 0)
      const name = titles.length > 0 ? titles.join(' > ') : str(a.fullName) || '(unnamed test)'
      if (a.status === 'passed') {
        tests.counts.passed++
        tests.passed.push(file ? { name, file } : { name })
        continue
      }
      if (a.status !== 'failed') {
        tests.counts.skipped++
        continue
      }
      tests.counts.failed++
      failedInFile++
      failures.push({
        name,
        file: file || undefined,
        message: clip(arr(a.failureMessages).map(str).join('\n\n')),
      })
    }
    // A file that failed without a failing assertion: it did not load, or a hook threw.
    if (fileJson.status === 'failed' && failedInFile === 0)
      failures.push({
        name: file || '(test file)',
        file: file || undefined,
        message: clip(str(fileJson.message) || 'the test file failed to run'),
      })
  }
  return { failures, testFiles: [...new Set(testFiles)], tests }
}

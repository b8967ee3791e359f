/**
 * `bench/fixrate.ts --check`: proves each fixture without the engine. Its tests pass as stored,
 * fail with the bug injected, and, with the transcript's tool calls carried out in order, each
 * finish but the last meets red tests (the transcript goes on after a red verification) and the
 * last meets green ones. Views must name lines that exist and searches must find something.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TOOL_INPUTS, toolCalls, type Fixture } from './fixrate-fixtures'
import { applyEdit, copyProject, injectBug, runTests, search } from './fixrate-project'

export interface CheckReport {
  name: string
  ok: boolean
  /** One line saying what was proven, or what failed. */
  line: string
}

const figures = (r: { pass: number; fail: number }) => `${r.pass} pass, ${r.fail} fail`

export function checkFixture(fixture: Fixture): CheckReport {
  const root = mkdtempSync(join(tmpdir(), `fixloop-fixrate-check-${fixture.name}-`))
  const fail = (why: string): CheckReport => ({ name: fixture.name, ok: false, line: why })
  try {
    copyProject(fixture.projectDir, root)
    const stored = runTests(root)
    if (!stored.passed) return fail(`tests fail as stored (${figures(stored)})`)
    injectBug(root, fixture.bug)
    const buggy = runTests(root)
    if (buggy.passed) return fail(`tests still pass with the bug injected (${figures(buggy)})`)

    const calls = toolCalls(fixture.turns)
    const finishes = calls.filter((c) => c.call.name === 'finish')
    let edits = 0
    let searches = 0
    let finished = 0
    for (const { turn, call } of calls) {
      const where = `turn ${turn + 1} (${call.id})`
      if (call.name === 'str_replace_based_edit_tool') {
        const input = TOOL_INPUTS.str_replace_based_edit_tool.parse(call.input)
        try {
          applyEdit(root, input)
        } catch (error) {
          return fail(`${where}: ${(error as Error).message}`)
        }
        if (input.command !== 'view') edits++
      } else if (call.name === 'search') {
        const input = TOOL_INPUTS.search.parse(call.input)
        if (search(root, input).length === 0) {
          return fail(`${where}: search for /${input.pattern}/ finds nothing`)
        }
        searches++
      } else if (call.name === 'finish') {
        finished++
        const last = finished === finishes.length
        const verified = runTests(root)
        if (last && !verified.passed) {
          return fail(`${where}: the last finish meets red tests (${figures(verified)})`)
        }
        if (!last && verified.passed) {
          return fail(`${where}: finish meets green tests, but the transcript expects red`)
        }
      }
    }
    const rounds = finishes.length > 1 ? `, ${finishes.length} rounds (red, then green)` : ''
    return {
      name: fixture.name,
      ok: true,
      line:
        `green as stored (${stored.pass}), red with the bug (${buggy.fail} failing), green after ` +
        `${edits} edit${edits === 1 ? '' : 's'} in ${fixture.turns.length} turns` +
        `${searches ? `, ${searches} search${searches === 1 ? '' : 'es'}` : ''}${rounds}`,
    }
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}

/** Checks every fixture and prints one line each; true when all hold. */
export function runCheck(fixtures: Fixture[]): boolean {
  console.log(`Checking ${fixtures.length} fixture(s) without the engine`)
  let ok = true
  for (const fixture of fixtures) {
    const report = checkFixture(fixture)
    ok &&= report.ok
    console.log(`${report.ok ? 'ok  ' : 'FAIL'} ${report.name}: ${report.line}`)
  }
  console.log(JSON.stringify({ bench: 'fixrate', mode: 'check', fixtures: fixtures.length, ok }))
  return ok
}

/**
 * Best-effort failures from plain output, for checks without a machine-readable report: a whole
 * suite run through `npm test`, a configured command, typecheck and lint. Recognises node's spec
 * reporter, TAP, vitest's and jest's default reporters, tsc and ESLint's stylish format. What it
 * cannot read stays in the output tail, which is what the fixer is shown anyway.
 */
import type { TestFailure } from '../../../shared/domain'
import { clip, projectPath, stripAnsi, withoutPosition } from './parse-common'
import { parseNodeTap } from './parse-node-tap'

export function parseText(output: string, root: string): TestFailure[] {
  const text = stripAnsi(output)
  if (/^TAP version \d+/m.test(text)) return parseNodeTap(text, root).failures
  const lines = text.split(/\r?\n/)
  const found: TestFailure[] = []
  const seen = new Set<string>()
  const add = (f: TestFailure) => {
    const key = `${f.file ?? ''}\u0000${f.name}`
    if (seen.has(key)) return
    seen.add(key)
    found.push({ ...f, message: clip(f.message) })
  }
  // node's spec reporter lists leaf failures again after "✖ failing tests:", each with its file;
  // before that marker the tree also shows the suites that failed only through a child.
  const summary = lines.findIndex((l) => /^\s*✖ failing tests:\s*$/.test(l))
  let eslintFile: string | null = null
  for (let i = summary + 1; i < lines.length; i++) {
    const line = lines[i] as string
    let m: RegExpExecArray | null
    // node spec reporter: "✖ name (1.2ms)"; its summary repeats each one after "test at file:1:2".
    if ((m = /^(\s*)✖ (.+?) \(\d+(?:\.\d+)?m?s\)(.*)$/.exec(line))) {
      if (/# (TODO|SKIP)/.test(m[3] as string) || m[2] === 'failing tests:') continue
      const at = /^test at (.+)$/.exec(lines[i - 1] ?? '')
      const message = indentedBlock(lines, i + 1, (m[1] as string).length)
      // Without the summary, a suite shows as "✖ name" with no error block of its own.
      if (summary === -1 && message === '') continue
      add({
        name: m[2] as string,
        file: at ? projectPath(root, withoutPosition(at[1] as string)) : undefined,
        message,
      })
    } else if ((m = /^\s*(?:FAIL|×)\s+(\S.*?) > (.+?)(?: \d+ms)?$/.exec(line))) {
      // vitest: " FAIL  src/a.test.ts > suite > name"
      add({
        name: m[2] as string,
        file: projectPath(root, m[1] as string),
        message: following(lines, i),
      })
    } else if ((m = /^\s*FAIL\s+(\S+\.[cm]?[jt]sx?)(?: \[.*\])?\s*$/.exec(line))) {
      // vitest "FAIL  file [ file ]" (the file did not load) or jest's "FAIL path/to.test.js"
      add({
        name: projectPath(root, m[1] as string),
        file: projectPath(root, m[1] as string),
        message: following(lines, i),
      })
    } else if ((m = /^\s*● (.+ › .+)$/.exec(line))) {
      // jest: "● suite › name"
      add({ name: (m[1] as string).replace(/ › /g, ' > '), message: following(lines, i) })
    } else if (
      (m = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line)) ??
      (m = /^(.+?):(\d+):(\d+) - error (TS\d+): (.*)$/.exec(line))
    ) {
      const file = projectPath(root, m[1] as string)
      add({
        name: checkerName(m[4] as string, file, m[2] as string),
        file,
        message: m[5] as string,
      })
    } else if (/^(\/|[A-Za-z]:\\)\S.*$/.test(line) && !line.includes(': ')) {
      eslintFile = line.trim()
    } else if (eslintFile && (m = /^\s+(\d+):(\d+)\s+error\s+(.+?)(?:\s{2,}(\S+))?$/.exec(line))) {
      const file = projectPath(root, eslintFile)
      add({
        name: checkerName(m[4] ?? 'lint', file, m[1] as string),
        file,
        message: m[3] as string,
      })
    } else if (line.trim() === '') {
      eslintFile = null
    }
  }
  return found
}

/** A type-checker or linter finding is named "TS2322 src/a.ts:3", "no-unused-vars src/a.ts:3". */
function checkerName(rule: string, file: string, line: string): string {
  return `${rule} ${file}:${line}`
}

/** Whether a failure is a type-checker or linter finding (see `checkerName`), not a failing test. */
export function isCheckerFailure({ name, file }: TestFailure): boolean {
  const rule = name.split(' ', 1)[0] ?? ''
  const prefix = `${rule} ${file}:`
  return !!file && name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length))
}

/** The lines after `start` that are indented deeper than `indent`: a spec reporter's error block. */
function indentedBlock(lines: readonly string[], start: number, indent: number): string {
  const out: string[] = []
  for (let i = start; i < lines.length && out.length < 40; i++) {
    const line = lines[i] as string
    if (line.trim() !== '' && line.length - line.trimStart().length <= indent) break
    out.push(line.slice(indent + 2))
  }
  return out.join('\n').trim()
}

/** A few lines after a failure heading, up to the next blank-line-separated heading. */
function following(lines: readonly string[], i: number): string {
  const out = [lines[i] as string]
  for (let j = i + 1; j < lines.length && out.length < 20; j++) {
    const line = lines[j] as string
    if (/^\s*(FAIL|●|✖)\s/.test(line)) break
    out.push(line)
  }
  return out.join('\n').trim()
}

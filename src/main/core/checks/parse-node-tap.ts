/**
 * Reads the TAP that node's test runner writes (`--test-reporter=tap`): each `not ok` with its YAML
 * block (location, failureType, error). Nesting follows the 4-space indentation and the
 * `# Subtest:` lines, giving "suite > test" names. Suites that failed only because a child failed
 * (`failureType: 'subtestsFailed'`) are not failures of their own; `# TODO` failures do not count.
 * The tally counts leaf tests only: suites (`type: 'suite'`, or a point with children) and the
 * point node writes for a test file that ran no test (named by its path) are not tests.
 */
import type { TestFailure } from '../../../shared/domain'
import { clip, projectPath, withoutPosition } from './parse-common'
import type { ParsedRun, TestTally } from './parse-common'

const TEST_POINT = /^( *)(not ok|ok)\b(?: \d+)?(?: - (.*))?$/
const SUBTEST = /^( *)# Subtest: (.*)$/
const SUMMARY = /^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) /

export function parseNodeTap(text: string, root: string): ParsedRun {
  const lines = text.split(/\r?\n/)
  const failures: TestFailure[] = []
  const tests: TestTally = {
    counts: { passed: 0, failed: 0, skipped: 0 },
    named: true,
    passed: [],
    emptyFiles: [],
  }
  const titles: string[] = []
  // hasChildren[level]: a point one level deeper was seen since the last point at `level`.
  const hasChildren: boolean[] = []
  let diagnostics: string[] = []
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    const subtest = SUBTEST.exec(line)
    if (subtest) {
      const level = Math.floor((subtest[1] as string).length / 4)
      titles.length = level
      titles[level] = unescapeTap(subtest[2] as string)
      continue
    }
    const point = TEST_POINT.exec(line)
    if (!point) {
      const comment = /^ *# (.*)$/.exec(line)
      if (comment && !SUMMARY.test(line.trimStart())) diagnostics.push(comment[1] as string)
      continue
    }
    const indent = (point[1] as string).length
    const { name, directive } = splitDirective(point[3] ?? '')
    const yaml = readYaml(lines, i + 1, indent + 2)
    i = yaml.end - 1
    const comments = diagnostics
    diagnostics = []
    const level = Math.floor(indent / 4)
    const leaf = !hasChildren[level] && yaml.fields.type !== 'suite'
    hasChildren[level] = false
    if (level > 0) hasChildren[level - 1] = true
    const location = yaml.fields.location ?? ''
    const file = location ? projectPath(root, withoutPosition(location)) : undefined
    // node < 20.? wraps each file in a test named by its path; it is a file, not a title.
    const wrapper = titles.slice(0, level).find(looksLikeFile)
    const path = titles
      .slice(0, level)
      .filter((t) => !looksLikeFile(t))
      .concat(looksLikeFile(name) && level > 0 ? [] : [name])
    const isFileFailure = looksLikeFile(name) && path.length <= 1
    const testName = path.join(' > ') || name
    const ok = point[2] === 'ok'
    const skipped = directive === 'TODO' || directive === 'SKIP'
    if (leaf && isFileFailure) {
      // The point of a test file with no test in it: it ran none (or it crashed: a failure below).
      if (ok) tests.emptyFiles.push(projectPath(root, name))
    } else if (leaf) {
      if (skipped) tests.counts.skipped++
      else if (!ok) tests.counts.failed++
      else {
        tests.counts.passed++
        const at = file ?? (wrapper ? projectPath(root, wrapper) : undefined)
        tests.passed.push(at ? { name: testName, file: at } : { name: testName })
      }
    }
    if (ok || skipped) continue
    if (yaml.fields.failureType === 'subtestsFailed') continue
    failures.push({
      name: isFileFailure ? projectPath(root, name) : testName,
      file: file ?? (looksLikeFile(name) ? projectPath(root, name) : undefined),
      message: clip(messageOf(yaml.fields, isFileFailure ? comments : [])),
    })
  }
  return { failures, testFiles: null, tests }
}

function looksLikeFile(name: string): boolean {
  return /^(\/|[A-Za-z]:[\\/]|file:\/\/)/.test(name) && /\.[cm]?[jt]sx?$/.test(name)
}

function unescapeTap(s: string): string {
  return s.replace(/\\([\\#])/g, '$1')
}

function splitDirective(raw: string): { name: string; directive: string | null } {
  // "# SKIP" / "# TODO" end the line; an escaped "\#" belongs to the name.
  const m = /^(.*?)(?<!\\) # (SKIP|TODO)\b.*$/i.exec(raw)
  if (!m) return { name: unescapeTap(raw), directive: null }
  return { name: unescapeTap(m[1] as string), directive: (m[2] as string).toUpperCase() }
}

interface YamlBlock {
  fields: Record<string, string>
  end: number
}

/** Reads the flat YAML diagnostic block (`---` … `...`) that may follow a test point. */
function readYaml(lines: readonly string[], start: number, indent: number): YamlBlock {
  const pad = ' '.repeat(indent)
  if (lines[start] !== `${pad}---`) return { fields: {}, end: start }
  const fields: Record<string, string> = {}
  let i = start + 1
  while (i < lines.length && lines[i] !== `${pad}...`) {
    const line = lines[i] as string
    const kv = line.startsWith(pad)
      ? /^([A-Za-z_][\w-]*):(?: (.*))?$/.exec(line.slice(indent))
      : null
    i++
    if (!kv) continue
    const key = kv[1] as string
    const raw = kv[2] ?? ''
    if (/^[|>][-+]?$/.test(raw)) {
      const body: string[] = []
      while (i < lines.length && ((lines[i] as string).startsWith(`${pad}  `) || lines[i] === '')) {
        body.push((lines[i] as string).slice(indent + 2))
        i++
      }
      fields[key] = raw.startsWith('>') ? body.join(' ') : body.join('\n').replace(/\n+$/, '')
    } else fields[key] = yamlScalar(raw)
  }
  return { fields, end: i + 1 }
}

/**
 * node writes single-line values with `util.inspect`: a JS string literal in ', " or ` quotes
 * (whichever the text does not contain), with JS escapes — not YAML's own quoting.
 */
function yamlScalar(raw: string): string {
  const quote = raw[0]
  if (raw.length >= 2 && (quote === "'" || quote === '"' || quote === '`') && raw.endsWith(quote))
    return raw.slice(1, -1).replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)/g, (_, esc: string) => {
      if (esc.length > 1) return String.fromCharCode(parseInt(esc.slice(1), 16))
      return (
        (
          { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', '0': '\0' } as Record<
            string,
            string
          >
        )[esc] ?? esc
      )
    })
  return raw === '~' ? '' : raw
}

function messageOf(fields: Record<string, string>, comments: readonly string[]): string {
  const parts: string[] = []
  const error = fields.error ?? ''
  const head = fields.name && fields.name !== 'Error' ? `${fields.name}: ${error}` : error
  if (head) parts.push(head)
  if (fields.expected !== undefined || fields.actual !== undefined)
    parts.push(`expected: ${fields.expected ?? ''}\nactual: ${fields.actual ?? ''}`)
  // A file that crashed before any test ran says only "test failed"; its stderr came as comments.
  if (comments.length > 0) parts.push(comments.join('\n'))
  if (fields.stack) parts.push(fields.stack)
  return parts.join('\n\n') || fields.failureType || 'failed'
}

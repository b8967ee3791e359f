/**
 * Code that fakes a green without touching a test: a process that exits before its tests report
 * (`process.exit(0)` in a module the tests import), and assertions patched into no-ops
 * (`assert.strictEqual = () => {}`, `Object.assign(assert, …)`, `expect = …`, a mocked
 * `node:assert`). These are read from the text, in any file; each match is labelled by what it
 * does, so a finding can name it. Text search, not a parser: a comment that mentions one counts too,
 * which only costs a review.
 */

/** Calls that end the process (or the Python interpreter) before the runner can report. */
const EARLY_EXITS: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/\bprocess\s*(?:\.\s*|\[\s*['"`])(exit|reallyExit|abort)\b/g, (m) => `process.${m[1]}`],
  [/\bprocess\s*\.\s*kill\s*\(\s*process\s*\.\s*pid\b/g, () => 'process.kill(process.pid)'],
  [
    /\brequire\s*\(\s*['"`](?:node:)?process['"`]\s*\)\s*\.\s*(exit|reallyExit|abort)\b/g,
    (m) => `require('process').${m[1]}`,
  ],
  [
    /\bimport\s*\{[^}]*\b(exit|reallyExit|abort)\b[^}]*\}\s*from\s*['"](?:node:)?process['"]/g,
    (m) => `import { ${m[1]} } from 'process'`,
  ],
  [/\bos\s*\.\s*_exit\s*\(/g, () => 'os._exit'],
]

/** Modules whose default export or namespace is an assertion object. */
const ASSERT_MODULE =
  /^(?:node:)?assert(?:\/strict)?$|^(?:chai|expect|should|power-assert|uvu\/assert|unexpected)$/
/** Modules that export `expect` / `assert` by name. */
const NAMED_ASSERT_MODULE =
  /^(?:vitest|@jest\/globals|@playwright\/test|bun:test|chai|(?:node:)?assert(?:\/strict)?)$/
const NAMED_ASSERT_EXPORT = /^(?:expect|assert|strict|should)$/

/** The assertion objects every runner puts in scope. */
const GLOBAL_ASSERTS = ['assert', 'expect', 'should', 'chai']

/**
 * Every place the text ends the process early, labelled by the call ("process.exit",
 * "import { exit } from 'node:process'").
 */
export function findEarlyExits(text: string | null): string[] {
  if (!text) return []
  return EARLY_EXITS.flatMap(([re, name]) => [...text.matchAll(re)].map(name))
}

/**
 * Every place the text reassigns, redefines, spies on or mocks an assertion function, labelled by
 * what is patched ("assert.strictEqual =", "Object.assign(assert, …)", "vi.mock('node:assert')").
 */
export function findAssertionPatches(text: string | null): string[] {
  if (!text) return []
  const names = [...new Set([...GLOBAL_ASSERTS, ...assertionAliases(text)])].map(escape)
  const any = names.join('|')
  const holder = `(?:(?:globalThis|global|window|self)\\s*\\.\\s*)?(?:${any})`
  const required = `require\\s*\\(\\s*['"\`](?:node:)?assert(?:/strict)?['"\`]\\s*\\)`
  const member = `(?:\\s*\\.\\s*[\\w$]+|\\s*\\[[^\\]\\n]*\\])`
  const assign = `\\s*(?:\\|\\||&&|\\?\\?)?=(?![=>])`
  const patterns: [RegExp, (m: RegExpMatchArray) => string][] = [
    // assert.strictEqual = …, expect.prototype.x = …, require('assert').ok = …
    [
      new RegExp(`(?<![.\\w$])(?:${holder}|${required})${member}+${assign}`, 'g'),
      (m) => `${squash(m[0].replace(/=$/, '').replace(/(?:\|\||&&|\?\?)$/, ''))} =`,
    ],
    // expect = …, globalThis.assert = … (not a declaration: `const assert = require('assert')`)
    [
      new RegExp(
        `(?<![.\\w$])(?<!\\b(?:const|let|var|function|class|import)\\s+)${holder}(?![\\w$])${assign}`,
        'g',
      ),
      (m) => `${squash(m[0].replace(/(?:\|\||&&|\?\?)?=$/, ''))} =`,
    ],
    // Object.assign(assert, …), Object.defineProperty(expect, …), Reflect.set(assert, …)
    [
      new RegExp(
        `\\b(?:Object\\s*\\.\\s*(?:assign|defineProperty|defineProperties|setPrototypeOf)|Reflect\\s*\\.\\s*(?:set|defineProperty|setPrototypeOf))\\s*\\(\\s*(?:${holder}|${required})(?![\\w$])`,
        'g',
      ),
      (m) => `${squash(m[0])}, …)`,
    ],
    // vi.spyOn(assert, 'equal'), jest.spyOn(expect, …), sinon.stub(assert, …), mock.method(assert, …)
    [
      new RegExp(
        `\\b(?:(?:vi|jest|sinon)\\s*\\.\\s*(?:spyOn|stub|replace)|mock\\s*\\.\\s*method)\\s*\\(\\s*(?:${holder}|${required})(?![\\w$])`,
        'g',
      ),
      (m) => `${squash(m[0])}, …)`,
    ],
    // vi.mock('node:assert'), jest.mock('chai')
    [
      /\b(?:vi|jest)\s*\.\s*(?:mock|doMock)\s*\(\s*['"`]((?:node:)?assert(?:\/strict)?|chai|expect|should|vitest|@jest\/globals)['"`]/g,
      (m) => `${squash(m[0])})`,
    ],
    // The module loader, through which any import can be replaced.
    [
      /\bModule\s*\.\s*(?:_load|_resolveFilename|prototype\s*\.\s*require)\s*=(?![=>])/g,
      (m) => squash(m[0]).replace(/=$/, ' ='),
    ],
    // A matcher or an assert method replaced on a class: `TestCase.assertEqual = …`, `.toBe = …`
    [
      /\.\s*(?:assert[A-Z]\w*|toBe|toEqual|toStrictEqual|toMatch\w*|toThrow\w*|toContain\w*|toHave\w*)\s*=(?![=>])/g,
      (m) => `${squash(m[0]).replace(/=$/, '')} =`,
    ],
  ]
  return patterns.flatMap(([re, name]) => [...text.matchAll(re)].map(name))
}

/** Local names bound to an assertion module: `import ok from 'node:assert'`, `const a = require('chai')`. */
function assertionAliases(text: string): string[] {
  const out: string[] = []
  for (const m of text.matchAll(
    /\bimport\s+(?:\*\s+as\s+)?([\w$]+)\s*(?:,\s*\{[^}]*\})?\s*from\s*['"]([^'"]+)['"]/g,
  ))
    if (ASSERT_MODULE.test(m[2] as string)) out.push(m[1] as string)
  for (const m of text.matchAll(
    /\bimport\s*(?:[\w$]+\s*,\s*)?\{([^}]*)\}\s*from\s*['"]([^'"]+)['"]/g,
  )) {
    if (!NAMED_ASSERT_MODULE.test(m[2] as string)) continue
    for (const spec of (m[1] as string).split(',')) {
      const [imported, local] = spec.trim().split(/\s+as\s+/)
      if (imported && NAMED_ASSERT_EXPORT.test(imported)) out.push((local ?? imported).trim())
    }
  }
  for (const m of text.matchAll(
    /\b(?:const|let|var)\s+([\w$]+)\s*=\s*require\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g,
  ))
    if (ASSERT_MODULE.test(m[2] as string)) out.push(m[1] as string)
  return out.filter((n) => /^[\w$]+$/.test(n))
}

/** The match without its whitespace, as a label: "process . exit" → "process.exit". */
function squash(s: string): string {
  return s.replace(/\s+/g, '')
}

function escape(s: string): string {
  return s.replace(/[$]/g, '\\$')
}

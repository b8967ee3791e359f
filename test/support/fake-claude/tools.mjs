/**
 * The fake's tools: a small model of Claude Code's permission check (the built-in tool list from
 * --tools, the --permission-mode, the --allowedTools rules) and real Read/Edit/Write/MultiEdit/Bash
 * effects under the working directory, so edits land where the fake ran. Denial texts are the
 * fake's own wording, not Claude Code's.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs'
import path from 'node:path'

const EDITS = new Set(['Edit', 'Write', 'MultiEdit', 'NotebookEdit'])
const READS = new Set(['Read', 'Glob', 'Grep'])

/**
 * @typedef {{ tools: string[] | null, mode: string, rules: string[], cwd: string }} Policy
 * @typedef {{ isError: boolean, text: string, denied?: boolean }} Outcome
 */

/** Splits `--allowedTools` values: one rule an element, or comma-separated outside parentheses. */
export function splitRules(values) {
  const rules = []
  for (const value of values) {
    let depth = 0
    let current = ''
    for (const ch of value) {
      if (ch === '(') depth++
      if (ch === ')') depth--
      if ((ch === ',' || ch === ' ') && depth === 0) {
        if (current) rules.push(current)
        current = ''
      } else current += ch
    }
    if (current) rules.push(current)
  }
  return rules
}

/** Runs one tool use as Claude Code would after its permission check. @returns {Outcome} */
export function runTool(name, input, policy) {
  if (policy.tools && !policy.tools.includes(name))
    return {
      isError: true,
      text: `<tool_use_error>No such tool available: ${name}</tool_use_error>`,
    }
  if (!allowed(name, input, policy))
    return {
      isError: true,
      denied: true,
      text: `Permission to use ${name} was denied (fake claude, ${policy.mode} mode).`,
    }
  try {
    return perform(name, input, policy.cwd)
  } catch (error) {
    return { isError: true, text: `<tool_use_error>${error.message}</tool_use_error>` }
  }
}

function allowed(name, input, policy) {
  const file = input.file_path ?? input.notebook_path ?? input.path
  const inside = typeof file !== 'string' || isInside(policy.cwd, file)
  if (policy.mode === 'bypassPermissions') return true
  if (READS.has(name)) return inside || policy.rules.includes(name)
  if (EDITS.has(name)) {
    if (!inside) return policy.rules.includes(name) || policy.rules.includes('Edit')
    if (policy.mode === 'acceptEdits') return true
    return policy.rules.some(
      (r) => r === 'Edit' || r === name || r === 'Edit(./**)' || r === `${name}(./**)`,
    )
  }
  if (name === 'Bash') return policy.rules.some((rule) => bashRuleMatches(rule, input.command))
  return policy.rules.includes(name)
}

/** Exact rules, legacy `prefix:*`, and a trailing ` *`; `\*` and `\\` are literal. */
export function bashRuleMatches(rule, command) {
  const m = /^Bash\((.*)\)$/s.exec(rule)
  if (rule === 'Bash') return true
  if (!m || typeof command !== 'string') return false
  const body = m[1]
  if (body.endsWith(':*'))
    return command === body.slice(0, -2) || command.startsWith(`${body.slice(0, -2)} `)
  if (body.endsWith(' *')) return command.startsWith(unescape(body.slice(0, -1)))
  return command === unescape(body)
}

/** The command a `Bash(...)` rule names (for `{{check}}` in transcripts), or null. */
export function bashRuleCommand(rule) {
  const m = /^Bash\((.*)\)$/s.exec(rule)
  return m ? unescape(m[1]) : null
}

function unescape(text) {
  return text.replace(/\\([\\*])/g, '$1')
}

function isInside(cwd, file) {
  for (const root of new Set([path.resolve(cwd), realpathSync(cwd)])) {
    const rel = path.relative(root, path.resolve(root, file))
    if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) return true
  }
  return false
}

/** @returns {Outcome} */
function perform(name, input, cwd) {
  const file = typeof input.file_path === 'string' ? path.resolve(cwd, input.file_path) : null
  switch (name) {
    case 'Read': {
      const lines = readFileSync(file, 'utf8').split('\n')
      return {
        isError: false,
        text: lines.map((l, i) => `${String(i + 1).padStart(6)}→${l}`).join('\n'),
      }
    }
    case 'Write': {
      const existed = existsSync(file)
      mkdirSync(path.dirname(file), { recursive: true })
      writeFileSync(file, input.content)
      return {
        isError: false,
        text: existed
          ? `The file ${file} has been updated.`
          : `File created successfully at: ${file}`,
      }
    }
    case 'Edit':
      writeFileSync(file, applyEdit(readFileSync(file, 'utf8'), input))
      return { isError: false, text: `The file ${file} has been updated.` }
    case 'MultiEdit': {
      let text = readFileSync(file, 'utf8')
      for (const edit of input.edits) text = applyEdit(text, edit)
      writeFileSync(file, text)
      return { isError: false, text: `Applied ${input.edits.length} edits to ${file}` }
    }
    case 'Bash': {
      const run = spawnSync(input.command, { cwd, shell: true, encoding: 'utf8', timeout: 60_000 })
      const output = `${run.stdout ?? ''}${run.stderr ?? ''}`.trim()
      return run.status === 0
        ? { isError: false, text: output }
        : { isError: true, text: `Error: Exit code ${run.status}\n${output}` }
    }
    default:
      return { isError: false, text: '' }
  }
}

function applyEdit(text, { old_string: from, new_string: to, replace_all: all }) {
  const count = text.split(from).length - 1
  if (count === 0) throw new Error('String to replace not found in file.')
  if (count > 1 && !all)
    throw new Error(`Found ${count} matches of the string to replace, but replace_all is false.`)
  return all ? text.split(from).join(to) : text.replace(from, () => to)
}

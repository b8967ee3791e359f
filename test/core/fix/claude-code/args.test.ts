import { describe, expect, it } from 'vitest'
import {
  bashRule,
  buildClaudeArgs,
  checkCommandLine,
} from '../../../../src/main/core/fix/claude-code/args'

const base = {
  appendSystemPrompt: 'Fixloop rules: edit only what the failure needs.',
  checkCommand: ['npx', 'vitest', 'run', 'test/math.test.ts'],
  maxTurns: 12,
}

/** The values after `flag` up to the next flag. */
function valuesOf(args: string[], flag: string): string[] {
  const at = args.indexOf(flag)
  if (at === -1) return []
  const rest = args.slice(at + 1)
  const next = rest.findIndex((a) => a.startsWith('--'))
  return next === -1 ? rest : rest.slice(0, next)
}

describe('buildClaudeArgs', () => {
  it('asks for headless stream-json with --verbose, and reads the prompt from stdin', () => {
    const args = buildClaudeArgs(base)
    expect(args[0]).toBe('-p')
    expect(valuesOf(args, '--output-format')).toEqual(['stream-json'])
    expect(args).toContain('--verbose')
    // No positional prompt: `-p` is followed by a flag, and every value belongs to a flag.
    expect(args[1]?.startsWith('--')).toBe(true)
  })

  it('denies what is not pre-approved, and never skips permissions', () => {
    const args = buildClaudeArgs(base)
    expect(valuesOf(args, '--permission-mode')).toEqual(['dontAsk'])
    expect(args.join(' ')).not.toMatch(/dangerously|bypassPermissions/)
    expect(args).toContain('--strict-mcp-config')
    expect(valuesOf(args, '--tools')).toEqual(['Read,Edit,Write,Glob,Grep,Bash'])
  })

  it('allows reads and edits under the working directory and Bash for the check command only', () => {
    const rules = valuesOf(buildClaudeArgs(base), '--allowedTools')
    expect(rules).toEqual([
      'Read(./**)',
      'Edit(./**)',
      'Write(./**)',
      'Bash(npx vitest run test/math.test.ts)',
    ])
    expect(rules.filter((r) => r.startsWith('Bash'))).toHaveLength(1)
  })

  it('passes the turn limit and the appended rules', () => {
    const args = buildClaudeArgs(base)
    expect(valuesOf(args, '--max-turns')).toEqual(['12'])
    expect(valuesOf(args, '--append-system-prompt')).toEqual([base.appendSystemPrompt])
  })

  it('passes --model and --max-budget-usd only when given', () => {
    const plain = buildClaudeArgs(base)
    expect(plain).not.toContain('--model')
    expect(plain).not.toContain('--max-budget-usd')
    const full = buildClaudeArgs({ ...base, model: 'claude-sonnet-4-5', maxBudgetUsd: 0.75 })
    expect(valuesOf(full, '--model')).toEqual(['claude-sonnet-4-5'])
    expect(valuesOf(full, '--max-budget-usd')).toEqual(['0.75'])
  })

  it('passes --resume with a session id, and refuses anything else there', () => {
    expect(buildClaudeArgs(base)).not.toContain('--resume')
    const id = '6f1c2b9e-3d4a-4e5f-9a8b-7c6d5e4f3a2b'
    expect(valuesOf(buildClaudeArgs({ ...base, resume: id }), '--resume')).toEqual([id])
    expect(() => buildClaudeArgs({ ...base, resume: '--dangerously-skip-permissions' })).toThrow(
      /session id/,
    )
  })

  it('rejects a turn limit, budget, check command or model it cannot pass safely', () => {
    expect(() => buildClaudeArgs({ ...base, maxTurns: 0 })).toThrow(/maxTurns/)
    expect(() => buildClaudeArgs({ ...base, maxTurns: 2.5 })).toThrow(/maxTurns/)
    expect(() => buildClaudeArgs({ ...base, maxBudgetUsd: -1 })).toThrow(/maxBudgetUsd/)
    expect(() => buildClaudeArgs({ ...base, checkCommand: [] })).toThrow(/checkCommand/)
    expect(() => buildClaudeArgs({ ...base, checkCommand: ['npm', 'test\nrm -rf ~'] })).toThrow(
      /line breaks/,
    )
    expect(() => buildClaudeArgs({ ...base, model: 'sonnet --dangerously' })).toThrow(/model/)
  })
})

describe('checkCommandLine', () => {
  it('leaves plain words alone and single-quotes the rest', () => {
    expect(checkCommandLine(['node', '--test', 'test/a b.test.js', "it's", '$HOME'])).toBe(
      `node --test 'test/a b.test.js' 'it'\\''s' '$HOME'`,
    )
  })
})

describe('bashRule', () => {
  it('escapes a literal * so a test glob cannot widen the rule into a wildcard', () => {
    expect(bashRule(['node', '--test', 'test/*.test.js'])).toBe(
      String.raw`Bash(node --test 'test/\*.test.js')`,
    )
  })
})

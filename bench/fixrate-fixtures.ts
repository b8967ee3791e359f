/**
 * The fix-rate fixtures (bench/fixtures/<name>/): a correct project, the bug to inject into a copy
 * of it, and the recorded assistant turns of a fix conversation in the fix agent's protocol. This
 * module reads them and says, precisely, what is wrong with one that does not fit the protocol.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'

export const FIXTURES_DIR = join(import.meta.dirname, 'fixtures')

/** The tools the fix agent offers, by the names Claude calls them. */
export const TOOL_NAMES = [
  'report_plan',
  'str_replace_based_edit_tool',
  'run_checks',
  'search',
  'finish',
] as const
export type ToolName = (typeof TOOL_NAMES)[number]

const Bug = z
  .object({
    description: z.string().min(1),
    file: z.string().min(1),
    inject: z.object({ old: z.string().min(1), new: z.string() }).strict(),
  })
  .strict()
export type Bug = z.infer<typeof Bug>

const projectPath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'must be project-relative')

/** Inputs as the agent's tool definitions declare them. */
export const TOOL_INPUTS = {
  report_plan: z
    .object({
      root_cause: z.string().min(1),
      files: z.array(projectPath),
      steps: z.array(z.string().min(1)).min(1),
      risk: z.enum(['low', 'medium', 'high']),
      tests_look_wrong: z.boolean(),
    })
    .strict(),
  str_replace_based_edit_tool: z
    .object({
      command: z.enum(['view', 'str_replace', 'create', 'insert']),
      path: projectPath,
      old_str: z.string().min(1).optional(),
      new_str: z.string().optional(),
      file_text: z.string().optional(),
      insert_line: z.number().int().nonnegative().optional(),
      // text_editor_20250728 sends the inserted text as insert_text; new_str is the older alias.
      insert_text: z.string().optional(),
      view_range: z.tuple([z.number().int().positive(), z.number().int()]).optional(),
    })
    .strict()
    .refine(
      (i) => i.command !== 'str_replace' || (i.old_str !== undefined && i.new_str !== undefined),
      'str_replace needs old_str and new_str',
    )
    .refine((i) => i.command !== 'create' || i.file_text !== undefined, 'create needs file_text')
    .refine(
      (i) =>
        i.command !== 'insert' ||
        (i.insert_line !== undefined && (i.insert_text ?? i.new_str) !== undefined),
      'insert needs insert_line and insert_text',
    ),
  run_checks: z.object({ files: z.array(projectPath).optional() }).strict(),
  search: z
    .object({
      pattern: z.string().min(1),
      path: projectPath.nullable().optional(),
      glob: z.string().min(1).nullable().optional(),
    })
    .strict(),
  finish: z
    .object({
      root_cause: z.string().min(1),
      summary: z.string().min(1),
      tests_look_wrong: z.boolean(),
    })
    .strict(),
} satisfies Record<ToolName, z.ZodType>

export type EditorInput = z.infer<(typeof TOOL_INPUTS)['str_replace_based_edit_tool']>
export type SearchInput = z.infer<(typeof TOOL_INPUTS)['search']>

const TextBlock = z.object({ type: z.literal('text'), text: z.string().min(1) }).strict()
const ToolUseBlock = z
  .object({
    type: z.literal('tool_use'),
    id: z.string().regex(/^toolu_[A-Za-z0-9_]+$/, 'must look like toolu_…'),
    name: z.enum(TOOL_NAMES),
    input: z.record(z.string(), z.unknown()),
  })
  .strict()
export type ToolUseBlock = z.infer<typeof ToolUseBlock>

const count = z.number().int().nonnegative()
const Turn = z
  .object({
    content: z.array(z.discriminatedUnion('type', [TextBlock, ToolUseBlock])).min(1),
    stop_reason: z.enum(['tool_use', 'end_turn']),
    usage: z
      .object({
        input_tokens: count,
        output_tokens: count,
        cache_creation_input_tokens: count,
        cache_read_input_tokens: count,
      })
      .strict()
      .optional(),
  })
  .strict()
export type Turn = z.infer<typeof Turn>

export interface Fixture {
  name: string
  dir: string
  projectDir: string
  bug: Bug
  turns: Turn[]
}

const issues = (where: string, error: z.ZodError) =>
  error.issues.map((i) => `${where}${i.path.length ? `.${i.path.join('.')}` : ''}: ${i.message}`)

/** Every fixture (or only `only`), read and validated; throws with every problem at once. */
export function loadFixtures(only?: string): Fixture[] {
  const names = readdirSync(FIXTURES_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
  if (only && !names.includes(only)) {
    throw new Error(`No fixture "${only}". Known: ${names.join(', ')}`)
  }
  const fixtures: Fixture[] = []
  const problems: string[] = []
  for (const name of only ? [only] : names) {
    const dir = join(FIXTURES_DIR, name)
    const read = (file: string): unknown => JSON.parse(readFileSync(join(dir, file), 'utf8'))
    const bug = Bug.safeParse(read('bug.json'))
    const turns = z.array(Turn).min(1).safeParse(read('transcript.json'))
    if (!bug.success) problems.push(...issues(`${name}/bug.json`, bug.error))
    if (!turns.success) problems.push(...issues(`${name}/transcript.json`, turns.error))
    if (!existsSync(join(dir, 'project', 'package.json'))) {
      problems.push(`${name}: project/package.json is missing`)
    }
    if (!bug.success || !turns.success) continue
    problems.push(...protocolProblems(turns.data).map((p) => `${name}/transcript.json: ${p}`))
    fixtures.push({ name, dir, projectDir: join(dir, 'project'), bug: bug.data, turns: turns.data })
  }
  if (problems.length) throw new Error(`Invalid fixtures:\n  - ${problems.join('\n  - ')}`)
  return fixtures
}

/** The tool calls of a transcript in the order Fixloop runs them, with their turn (0-based). */
export function toolCalls(turns: Turn[]): Array<{ turn: number; call: ToolUseBlock }> {
  return turns.flatMap((t, turn) =>
    t.content.flatMap((b) => (b.type === 'tool_use' ? [{ turn, call: b }] : [])),
  )
}

/** What the agent protocol requires beyond each block's shape. */
function protocolProblems(turns: Turn[]): string[] {
  const problems: string[] = []
  const seen = new Set<string>()
  for (const { turn, call } of toolCalls(turns)) {
    const where = `turn ${turn + 1}, ${call.name} ${call.id}`
    if (seen.has(call.id)) problems.push(`${where}: the id is used twice`)
    seen.add(call.id)
    const input = TOOL_INPUTS[call.name].safeParse(call.input)
    if (!input.success) problems.push(...issues(`${where} input`, input.error))
  }
  turns.forEach((t, i) => {
    const calls = t.content.filter((b) => b.type === 'tool_use')
    const expected = calls.length ? 'tool_use' : 'end_turn'
    if (t.stop_reason !== expected) {
      problems.push(`turn ${i + 1}: stop_reason is ${t.stop_reason}, its content says ${expected}`)
    }
    const finish = calls.findIndex((c) => c.name === 'finish')
    if (finish >= 0 && finish !== calls.length - 1) {
      problems.push(`turn ${i + 1}: finish must be the turn's last tool call`)
    }
  })
  if (!turns[0]?.content.some((b) => b.type === 'tool_use' && b.name === 'report_plan')) {
    problems.push('the first turn must call report_plan')
  }
  const last = turns.at(-1)?.content.at(-1)
  if (!(last?.type === 'tool_use' && last.name === 'finish')) {
    problems.push('the last turn must end with a finish call')
  }
  return problems
}

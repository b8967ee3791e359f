/**
 * What a run did, tallied message by message without keeping the messages: session, edited paths,
 * tool uses, a running cost estimate, and the final result message.
 *
 * The running cost: Claude Code reports its cost only in the final result, so until then we price
 * each assistant response's `usage` with our own table (`claude/pricing`; an unknown model at the
 * dearest rates, so the budget errs on the side of stopping early). Claude Code can split one
 * response over several stream lines, one content block each, all with the same message id and
 * usage, so usage is kept per message id (the largest seen), never summed across lines.
 */
import { realpathSync } from 'node:fs'
import path from 'node:path'
import { costOf } from '../../claude/pricing'
import type { ApiUsageLike } from '../../claude/pricing'
import type { Redactor } from '../../util/redact'
import type {
  AssistantMessage,
  ResultMessage,
  StreamMessage,
  ToolUseBlock,
} from './stream-messages'
import type { ClaudeCodeEvent, ClaudeCodeUsage } from './types'

/** Tools whose input names a file they write. */
const EDIT_TOOLS: Readonly<Record<string, string>> = {
  Edit: 'file_path',
  Write: 'file_path',
  MultiEdit: 'file_path',
  NotebookEdit: 'notebook_path',
}

const SNIPPET_CHARS = 300

export class RunTally {
  sessionId: string | null = null
  result: ResultMessage | null = null
  private readonly responses = new Map<string, { model: string; usage: ApiUsageLike }>()
  private readonly toolUseIds = new Set<string>()
  /** tool_use id → project-relative path, for edits not (yet) refused. */
  private readonly edits = new Map<string, string>()
  private readonly outside = new Set<string>()
  private readonly roots: string[]
  private anonymous = 0
  private lastCost = 0

  constructor(
    cwd: string,
    private readonly redact: Redactor,
    private readonly emit: (event: ClaudeCodeEvent) => void,
  ) {
    // Claude Code may report paths through the real path (macOS /var → /private/var).
    this.roots = [...new Set([path.resolve(cwd), realPath(cwd)])]
  }

  add(message: StreamMessage): void {
    switch (message.type) {
      case 'init':
        this.sessionId = message.sessionId ?? this.sessionId
        this.emit(message)
        return
      case 'assistant':
        this.addAssistant(message.message)
        return
      case 'tool_results':
        for (const r of message.results) {
          if (!r.isError) continue
          // A refused or failed edit did not change the file.
          this.edits.delete(r.toolUseId)
          this.emit({ type: 'tool_error', id: r.toolUseId, text: this.snippet(r.text) })
        }
        return
      case 'result':
        this.result = message.result
        this.sessionId = message.result.sessionId ?? this.sessionId
        return
    }
  }

  get toolUses(): number {
    return this.toolUseIds.size
  }

  get editedPaths(): string[] {
    return [...new Set(this.edits.values())]
  }

  get outsidePaths(): string[] {
    return [...this.outside]
  }

  /** Assistant responses seen (distinct message ids). */
  get responsesSeen(): number {
    return this.responses.size
  }

  /** Cost and usage from the responses seen so far, priced by us. */
  estimate(): { costUsd: number; usage: ClaudeCodeUsage } {
    let costUsd = 0
    const usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 }
    for (const r of this.responses.values()) {
      costUsd += costOf(r.usage, r.model)
      usage.inputTokens += r.usage.input_tokens
      usage.outputTokens += r.usage.output_tokens
      usage.cacheReadTokens += r.usage.cache_read_input_tokens ?? 0
      usage.cacheWriteTokens += r.usage.cache_creation_input_tokens ?? 0
    }
    return { costUsd: Math.round(costUsd * 1e9) / 1e9, usage }
  }

  private addAssistant(message: AssistantMessage): void {
    if (message.usage) {
      const key = message.id ?? `anonymous-${this.anonymous++}`
      const seen = this.responses.get(key)
      this.responses.set(key, {
        model: message.model ?? seen?.model ?? 'unknown',
        usage: seen ? larger(seen.usage, message.usage) : message.usage,
      })
    }
    for (const text of message.texts) {
      if (text.trim() !== '') this.emit({ type: 'text', text: this.snippet(text) })
    }
    for (const use of message.toolUses) this.addToolUse(use)
    if (!this.result) {
      const { costUsd } = this.estimate()
      if (costUsd > this.lastCost) {
        this.lastCost = costUsd
        this.emit({ type: 'cost', costUsd })
      }
    }
  }

  private addToolUse(use: ToolUseBlock): void {
    if (this.toolUseIds.has(use.id)) return
    this.toolUseIds.add(use.id)
    const field = EDIT_TOOLS[use.name]
    const file = field === undefined ? null : use.input[field]
    if (typeof file === 'string' && file !== '') {
      const rel = this.relative(file)
      if (rel === null) this.outside.add(path.resolve(this.roots[0] as string, file))
      else this.edits.set(use.id, rel)
    }
    this.emit({ type: 'tool_use', id: use.id, name: use.name, target: this.target(use) })
  }

  /** The project-relative POSIX path of `file`, or null when it is outside every root. */
  private relative(file: string): string | null {
    for (const root of this.roots) {
      const rel = path.relative(root, path.resolve(root, file))
      if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel))
        return rel.split(path.sep).join('/')
    }
    return null
  }

  private target(use: ToolUseBlock): string | null {
    const input = use.input
    const file = input.file_path ?? input.notebook_path ?? input.path
    if (typeof file === 'string' && (use.name in EDIT_TOOLS || use.name === 'Read'))
      return this.relative(file) ?? this.snippet(file)
    if (typeof input.command === 'string') return this.snippet(input.command)
    if (typeof input.pattern === 'string') return this.snippet(input.pattern)
    return null
  }

  private snippet(text: string): string {
    const clean = this.redact(text.trim())
    return clean.length > SNIPPET_CHARS ? `${clean.slice(0, SNIPPET_CHARS)}…` : clean
  }
}

function larger(a: ApiUsageLike, b: ApiUsageLike): ApiUsageLike {
  const max = (x: number | null | undefined, y: number | null | undefined) =>
    Math.max(x ?? 0, y ?? 0)
  return {
    input_tokens: max(a.input_tokens, b.input_tokens),
    output_tokens: max(a.output_tokens, b.output_tokens),
    cache_creation_input_tokens: max(a.cache_creation_input_tokens, b.cache_creation_input_tokens),
    cache_read_input_tokens: max(a.cache_read_input_tokens, b.cache_read_input_tokens),
    cache_creation: {
      ephemeral_1h_input_tokens: max(
        a.cache_creation?.ephemeral_1h_input_tokens,
        b.cache_creation?.ephemeral_1h_input_tokens,
      ),
      ephemeral_5m_input_tokens: max(
        a.cache_creation?.ephemeral_5m_input_tokens,
        b.cache_creation?.ephemeral_5m_input_tokens,
      ),
    },
  }
}

function realPath(dir: string): string {
  try {
    return realpathSync(dir)
  } catch {
    return path.resolve(dir)
  }
}

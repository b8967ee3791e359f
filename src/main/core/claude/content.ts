/** Conversions between what the Messages API returns and what it accepts back. */
import type { ContentBlock, ContentBlockParam } from '@anthropic-ai/sdk/resources/messages'

/**
 * Response blocks as request blocks. Thinking blocks go back unchanged (the API ties them to the
 * conversation); fields only responses carry (citations, caller) are dropped.
 */
export function toParams(content: ReadonlyArray<ContentBlock>): ContentBlockParam[] {
  const out: ContentBlockParam[] = []
  for (const block of content) {
    switch (block.type) {
      case 'text':
        out.push({ type: 'text', text: block.text })
        break
      case 'tool_use':
        out.push({ type: 'tool_use', id: block.id, name: block.name, input: block.input })
        break
      case 'thinking':
        out.push({ type: 'thinking', thinking: block.thinking, signature: block.signature })
        break
      case 'redacted_thinking':
        out.push({ type: 'redacted_thinking', data: block.data })
        break
      default:
        // Server-tool blocks never appear: we offer no server tools.
        break
    }
  }
  return out
}

/** The text blocks of a reply, joined; null when there are none. */
export function textOf(content: ReadonlyArray<ContentBlock>): string | null {
  const text = content
    .filter((block) => block.type === 'text')
    .map((block) => (block as { text: string }).text)
    .join('\n')
    .trim()
  return text || null
}

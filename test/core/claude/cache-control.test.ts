import type { MessageParam } from '@anthropic-ai/sdk/resources/messages'
import { describe, expect, it } from 'vitest'
import {
  EPHEMERAL,
  systemBlock,
  withMovingBreakpoint,
} from '../../../src/main/core/claude/cache-control'

describe('withMovingBreakpoint', () => {
  it('marks only the last block of the conversation, leaving the input untouched', () => {
    const messages: MessageParam[] = [
      { role: 'user', content: 'fix it' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'x', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'ok' }] },
    ]
    const before = JSON.stringify(messages)

    const marked = withMovingBreakpoint(messages)

    expect(JSON.stringify(messages)).toBe(before)
    expect(JSON.stringify(marked).match(/cache_control/g)).toHaveLength(1)
    expect(marked[2]?.content).toEqual([
      { type: 'tool_result', tool_use_id: 't1', content: 'ok', cache_control: EPHEMERAL },
    ])
  })

  it('turns string content into a marked text block', () => {
    const marked = withMovingBreakpoint([{ role: 'user', content: 'hello' }])

    expect(marked[0]?.content).toEqual([{ type: 'text', text: 'hello', cache_control: EPHEMERAL }])
  })

  it('skips blocks that cannot carry a breakpoint, such as thinking', () => {
    const marked = withMovingBreakpoint([
      { role: 'user', content: 'hello' },
      { role: 'assistant', content: [{ type: 'thinking', thinking: '…', signature: 's' }] },
    ])

    expect(marked[1]?.content).toEqual([{ type: 'thinking', thinking: '…', signature: 's' }])
    expect(marked[0]?.content).toEqual([{ type: 'text', text: 'hello', cache_control: EPHEMERAL }])
  })

  it('marks system blocks on request', () => {
    expect(systemBlock('a', true)).toEqual({ type: 'text', text: 'a', cache_control: EPHEMERAL })
    expect(systemBlock('a')).toEqual({ type: 'text', text: 'a' })
  })
})

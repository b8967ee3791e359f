import { describe, expect, it } from 'vitest'
import {
  ClaudeConnectionError,
  ClaudeOverloadedError,
  ClaudeTimeoutError,
  isOutage,
} from '../../../src/main/core/claude/errors'
import {
  cutOff,
  dropMidStream,
  failMidStream,
  message,
  refusal,
  say,
  stallMidStream,
  text,
  thinking,
  toolUse,
  truncatedToolUse,
} from '../../support/fake-anthropic'
import { clientFor, failure, hello, useFakeApi } from './harness'

const fake = useFakeApi()

describe('streamed replies', () => {
  it('assemble thinking, text and a tool call into the final message, with usage', async () => {
    const call = toolUse({ command: 'view', path: 'src/math.ts' }, { id: 'toolu_1' })
    fake.api.enqueue(
      message([thinking('The sum is off by one.', 'sig_1'), text('Let me look.'), call], {
        usage: { input_tokens: 1200, output_tokens: 90 },
      }),
    )
    const { client } = clientFor(fake.api)

    const reply = await client.createMessage(hello)

    expect(reply.message.content).toEqual([
      { type: 'thinking', thinking: 'The sum is off by one.', signature: 'sig_1' },
      { type: 'text', text: 'Let me look.', citations: null },
      {
        type: 'tool_use',
        id: 'toolu_1',
        name: 'str_replace_based_edit_tool',
        input: { command: 'view', path: 'src/math.ts' },
        caller: { type: 'direct' },
      },
    ])
    expect(reply.message.stop_reason).toBe('tool_use')
    expect(reply.usage).toMatchObject({ inputTokens: 1200, outputTokens: 90 })
    expect(fake.api.messageRequests()[0]?.streamed).toBe(true)
  })

  it('are retried after an overloaded error event mid-stream', async () => {
    fake.api.enqueue(failMidStream(), say('Done.'))
    const { client, retries } = clientFor(fake.api)

    const reply = await client.createMessage(hello)

    expect(reply.attempts).toBe(2)
    expect(reply.message.content).toEqual([{ type: 'text', text: 'Done.', citations: null }])
    expect(retries[0]?.error).toBeInstanceOf(ClaudeOverloadedError)
    expect(retries[0]?.error.message).toMatch(/overloaded mid-reply: Overloaded\.$/)
    expect(retries[0]?.error.status).toBeNull()
  })

  it('are retried after the connection drops mid-stream', async () => {
    fake.api.enqueue(dropMidStream(), say('Done.'))
    const { client, retries } = clientFor(fake.api)

    const reply = await client.createMessage(hello)

    expect(reply.attempts).toBe(2)
    expect(retries[0]?.error).toBeInstanceOf(ClaudeConnectionError)
    expect(retries[0]?.error.message).toMatch(/broke off mid-reply/)
  })

  it('time out when the stream goes quiet, and report it as an outage', async () => {
    fake.api.enqueue(stallMidStream(), stallMidStream())
    const { client } = clientFor(fake.api, { maxAttempts: 2, streamIdleTimeoutMs: 150 })

    const started = Date.now()
    const error = await failure(client.createMessage(hello))

    expect(error).toBeInstanceOf(ClaudeTimeoutError)
    expect(error.message).toMatch(/stopped sending mid-reply \(nothing for 150 ms\)/)
    expect(isOutage(error)).toBe(true)
    expect(fake.api.messageRequests()).toHaveLength(2)
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('take the idle timeout of the call over the client’s', async () => {
    fake.api.enqueue(stallMidStream(), say('ok'))
    const { client, retries } = clientFor(fake.api, { streamIdleTimeoutMs: 60_000 })

    const reply = await client.createMessage(hello, { idleTimeoutMs: 100 })

    expect(reply.attempts).toBe(2)
    expect(retries[0]?.error).toBeInstanceOf(ClaudeTimeoutError)
  })

  it('pass a refusal through with its stop_details', async () => {
    fake.api.enqueue(refusal('cyber', 'This request could enable cyber harm.'))
    const { client } = clientFor(fake.api, { model: 'claude-fable-5-2' })

    const reply = await client.createMessage(hello)

    expect(reply.attempts).toBe(1)
    expect(reply.message.stop_reason).toBe('refusal')
    expect(reply.message.stop_details).toEqual({
      type: 'refusal',
      category: 'cyber',
      explanation: 'This request could enable cyber harm.',
    })
    expect(reply.message.content).toEqual([])
  })

  it('pass a tool call cut off by max_tokens through as the final message, input partial', async () => {
    fake.api.enqueue(
      cutOff(
        text('I will create the file.'),
        truncatedToolUse('{"command":"create","path":"src/a.ts","file_text":"export con', {
          id: 'toolu_cut',
        }),
      ),
    )
    const { client } = clientFor(fake.api)

    const reply = await client.createMessage(hello)

    expect(reply.message.stop_reason).toBe('max_tokens')
    const last = reply.message.content.at(-1)
    expect(last).toMatchObject({ type: 'tool_use', id: 'toolu_cut' })
    // What the SDK could parse of the partial JSON: the caller must not run this call.
    const input = (last as { input: Record<string, unknown> }).input
    expect(input).toMatchObject({ command: 'create', path: 'src/a.ts' })
    expect(input.file_text ?? '').not.toBe('export const x = 1\n')
  })

  it('pass a tool call cut off before any input through with input {}', async () => {
    fake.api.enqueue(cutOff(truncatedToolUse('', { id: 'toolu_empty' })))
    const { client } = clientFor(fake.api)

    const reply = await client.createMessage(hello)

    expect(reply.message.stop_reason).toBe('max_tokens')
    expect(reply.message.content).toEqual([
      expect.objectContaining({ type: 'tool_use', id: 'toolu_empty', input: {} }),
    ])
  })
})

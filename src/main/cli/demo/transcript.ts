/**
 * The recorded conversation the demo replays: what Claude would answer the fix agent for the sample
 * project's bug: its plan and the edit in one turn, then finish. Each entry is a complete Messages API response body.
 */
import { BROKEN_LINE, GOOD_LINE } from './sample'

const MODEL = 'claude-sonnet-5-5'
let n = 0

function reply(content: unknown[], stopReason: string, usage: [number, number, number, number]) {
  n++
  return {
    id: `msg_demo_${String(n).padStart(2, '0')}`,
    type: 'message',
    role: 'assistant',
    model: MODEL,
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage: {
      input_tokens: usage[0],
      output_tokens: usage[1],
      cache_creation_input_tokens: usage[2],
      cache_read_input_tokens: usage[3],
    },
  }
}

export const DEMO_TRANSCRIPT: Record<string, unknown>[] = [
  reply(
    [
      { type: 'text', text: 'The test expects quantities to count; cartTotal() ignores them.' },
      {
        type: 'tool_use',
        id: 'toolu_demo_plan',
        name: 'report_plan',
        input: {
          root_cause:
            'cartTotal() adds each item\u2019s price once and ignores its quantity, so carts with quantities above 1 come out too low.',
          files: ['src/cart.js'],
          steps: ['Multiply item.price by item.quantity in the reduce callback of cartTotal().'],
          risk: 'low',
          tests_look_wrong: false,
        },
      },
      {
        type: 'tool_use',
        id: 'toolu_demo_edit',
        name: 'str_replace_based_edit_tool',
        input: {
          command: 'str_replace',
          path: 'src/cart.js',
          old_str: BROKEN_LINE,
          new_str: GOOD_LINE,
        },
      },
    ],
    'tool_use',
    [1720, 260, 0, 0],
  ),
  reply(
    [
      {
        type: 'tool_use',
        id: 'toolu_demo_finish',
        name: 'finish',
        input: {
          root_cause: 'cartTotal() ignored item quantities.',
          summary: 'cartTotal() now multiplies each price by its quantity again.',
          tests_look_wrong: false,
        },
      },
    ],
    'tool_use',
    [190, 58, 0, 1720],
  ),
]

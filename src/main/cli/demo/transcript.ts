/**
 * The recorded conversation the demo replays: what the planner and the fixer would be told by Claude
 * for the sample project's bug. Each entry is a complete Messages API response body.
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
      {
        type: 'tool_use',
        id: 'toolu_demo_plan',
        name: 'submit_plan',
        input: {
          rootCause:
            'cartTotal() adds each item\u2019s price once and ignores its quantity, so carts with quantities above 1 come out too low.',
          files: ['src/cart.js'],
          steps: ['Multiply item.price by item.quantity in the reduce callback of cartTotal().'],
          risk: 'low',
          testsLookWrong: false,
        },
      },
    ],
    'tool_use',
    [1480, 152, 0, 0],
  ),
  reply(
    [
      { type: 'text', text: 'Let me look at the file first.' },
      {
        type: 'tool_use',
        id: 'toolu_demo_view',
        name: 'str_replace_based_edit_tool',
        input: { command: 'view', path: 'src/cart.js' },
      },
    ],
    'tool_use',
    [310, 64, 1690, 0],
  ),
  reply(
    [
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
    [240, 118, 120, 1690],
  ),
  reply(
    [{ type: 'text', text: 'cartTotal() now multiplies each price by its quantity again.' }],
    'end_turn',
    [180, 31, 90, 1810],
  ),
]

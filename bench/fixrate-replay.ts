/**
 * Replays a recorded transcript through the fake Messages API: the request of a conversation that
 * already holds k assistant messages gets turn k. A red verification that comes back in the same
 * conversation (the finish's tool_result, is_error) therefore gets the turns recorded after it.
 */
import {
  message,
  say,
  text,
  toolUse,
  type FakeBlock,
  type LoggedMessageBody,
  type Reply,
  type ReplyHandler,
} from '../test/support/fake-anthropic'
import type { Turn } from './fixrate-fixtures'

export interface ReplayTally {
  /** POST /v1/messages answered. */
  requests: number
  /** Requests that came after the transcript's last turn (answered with an end_turn). */
  pastEnd: number
  /** Requests of the older planner (tool submit_plan), answered from the transcript's report_plan. */
  legacyPlans: number
}

export const newTally = (): ReplayTally => ({ requests: 0, pastEnd: 0, legacyPlans: 0 })

export function toReply(turn: Turn): Reply {
  const content: FakeBlock[] = turn.content.map((b) =>
    b.type === 'text' ? text(b.text) : toolUse(b.input, { id: b.id, name: b.name }),
  )
  return message(content, {
    stopReason: turn.stop_reason,
    ...(turn.usage ? { usage: turn.usage } : {}),
  })
}

const offers = (body: LoggedMessageBody, tool: string) =>
  Boolean(body.tools?.some((t) => t.name === tool))

/**
 * Transitional: today's engine still plans in a separate request with the tool `submit_plan`.
 * That request gets the transcript's report_plan in the planner's shape, so the rest of the run
 * means something. Once the agent protocol lands no request offers submit_plan and this is unused.
 */
function legacyPlan(turns: Turn[]): Reply {
  const plan = turns[0]?.content.find((b) => b.type === 'tool_use' && b.name === 'report_plan')
  const input = (plan?.type === 'tool_use' ? plan.input : {}) as Record<string, unknown>
  return message(
    [
      toolUse(
        {
          rootCause: input.root_cause,
          files: input.files,
          steps: input.steps,
          risk: input.risk,
          testsLookWrong: input.tests_look_wrong,
        },
        {
          id: `${plan?.type === 'tool_use' ? plan.id : 'toolu_bench'}_legacy_plan`,
          name: 'submit_plan',
        },
      ),
    ],
    { stopReason: 'tool_use' },
  )
}

export function replayHandler(turns: Turn[], tally: ReplayTally): ReplyHandler {
  return (request) => {
    tally.requests++
    const body = request.body as LoggedMessageBody
    if (offers(body, 'submit_plan')) {
      tally.legacyPlans++
      return legacyPlan(turns)
    }
    const k = body.messages.filter((m) => m.role === 'assistant').length
    const turn = turns[k]
    if (turn) return toReply(turn)
    tally.pastEnd++
    return say('(The recorded transcript ends here.)')
  }
}

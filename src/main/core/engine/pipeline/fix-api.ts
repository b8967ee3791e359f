/**
 * A round of Fixloop's own fix agent over the Anthropic API. The agent (one conversation per task)
 * is made on the first round and kept in the run; its tools work in the shadow workspace: the
 * sandboxed editor writes there (through the journal), search reads there, run_checks runs the
 * related checks there, sandboxed, with the output trimmed and secrets redacted.
 */
import type { Attempt } from '../../../../shared/domain'
import { runRelated } from '../../checks'
import { FixAgent } from '../../fix/agent'
import type { ToolOutcome } from '../../fix/agent-types'
import { planFromFinish } from '../../fix/agent-tools'
import { checkBudgets } from '../../fix/budget'
import { createSandboxedEditor } from '../../fix/editor'
import { DEFAULT_PROMPT_LIMITS, renderChecks, trimMiddle } from '../../fix/prompts'
import { createSearch } from '../../fix/search'
import { createIgnoreMatcher } from '../../watch/ignore-rules'
import { sleep } from '../../util/clock'
import { redactCheck } from '../redact-checks'
import type { RoundReport } from './stage-fix'
import type { TaskRun } from './task-run'
import { firstLine } from './words'

/** The characters a `view` may return, as the tool definition advertises it to Claude. */
const VIEW_MAX_CHARS = 40_000

export async function apiRound(run: TaskRun, attempt: Attempt): Promise<RoundReport> {
  const { deps, fix, signal } = run
  const settings = deps.settings
  const agent = fix.agent ?? (fix.agent = await createAgent(run))
  let budget: RoundReport['budget']
  const feedback = fix.feedback
  fix.feedback = null
  const result = await agent.round(attempt.n, feedback, {
    signal,
    onUsage: (request, roundTotal) => {
      run.addUsage(request)
      attempt.usage = roundTotal
      const stop = checkBudgets(
        { attempt: roundTotal, task: fix.usage, day: deps.spend.today() },
        settings.budgets,
      )
      if (!stop) return 'continue'
      budget = { reason: stop.reason, pause: stop.scope !== 'attempt' }
      return { stop: stop.reason }
    },
  })
  attempt.usage = result.usage
  if (agent.plan) fix.plan = agent.plan
  if (result.finish) {
    // finish confirms or revises the plan: its root cause and its word on the tests are the latest.
    fix.plan = fix.plan
      ? {
          ...fix.plan,
          rootCause: result.finish.rootCause,
          testsLookWrong: result.finish.testsLookWrong,
        }
      : planFromFinish(result.finish, fix.journal?.paths() ?? [])
  }
  if (result.summary) {
    deps.log.info(`Claude: ${firstLine(result.summary)}`, { taskId: run.id, source: 'fixer' })
  }
  return {
    stop: result.stop,
    summary: result.summary,
    ...(result.detail ? { detail: result.detail } : {}),
    ...(result.error ? { error: result.error } : {}),
    ...(budget ? { budget } : {}),
  }
}

async function createAgent(run: TaskRun): Promise<FixAgent> {
  const { deps, fix } = run
  const lease = run.lease!
  const client = run.client!
  const journal = fix.journal!
  const log = (level: 'info' | 'warn', message: string) =>
    deps.log.log(level, message, { taskId: run.id, source: 'fixer' })
  const capabilities = await client.capabilities(deps.settings.model)
  const editor = createSandboxedEditor({
    root: lease.root,
    aliases: [deps.root],
    journal,
    maxResultChars: VIEW_MAX_CHARS,
  })
  // The shadow carries the project's .gitignore files: the same rules, read in the copy.
  const ignore = createIgnoreMatcher({ root: lease.root, userPatterns: deps.settings.ignore })
  const search = createSearch({ root: lease.root, ignore, aliases: [deps.root] })
  const agent: FixAgent = new FixAgent(
    {
      files: run.task.files,
      checks: run.red,
      change: fix.change,
      sources: fix.sources,
      maxRounds: deps.settings.maxRetries,
    },
    {
      client,
      capabilities,
      fallbackModel: deps.settings.fallbackModel,
      effort: deps.settings.effort,
      editsSoFar: () => journal.diff(),
      tools: {
        editor,
        search,
        runChecks: (files, signal) => runChecks(run, files, signal),
      },
      onToolCall: (call) => {
        if (call.name === 'report_plan' && !call.isError && agent.plan) {
          // The strategy, as soon as it is stated: in the log and on the task for the dashboard.
          fix.plan = agent.plan
          log('info', `Plan: ${agent.plan.rootCause}`)
          void run.persist({ plan: structuredClone(agent.plan) }).catch(() => undefined)
        } else if (call.isError) log('warn', `${call.name} refused: ${firstLine(call.result)}`)
        else if (call.name === 'str_replace_based_edit_tool' && call.command !== 'view')
          log('info', `Edited ${call.path ?? '?'} (${call.command ?? '?'})`)
        else if (call.name === 'run_checks')
          log('info', `Claude ran the checks: ${firstLine(call.result)}`)
      },
      onNote: (message) => log('info', message),
      // Tasks side by side share the key's rate limit: read its headers and wait rather than 429.
      ...(deps.settings.concurrency > 1
        ? {
            pace: async (tokens: number, signal?: AbortSignal) => {
              const ms = client.paceDelayMs(tokens)
              if (ms <= 0) return
              log('info', `Waiting ${(ms / 1000).toFixed(1)} s for the API rate limit`)
              await sleep(ms, signal, deps.clock)
            },
          }
        : {}),
    },
  )
  return agent
}

/** The related checks of `files` (default: the task's and the edited ones), in the shadow. */
async function runChecks(
  run: TaskRun,
  files: string[] | null,
  signal: AbortSignal | undefined,
): Promise<ToolOutcome> {
  const targets = files ?? [...new Set([...run.task.files, ...(run.fix.journal?.paths() ?? [])])]
  const related = await runRelated(run.runner!, targets, {
    ...run.ring(),
    ...(signal ? { signal } : {}),
    timeoutMs: run.deps.settings.checkTimeoutSeconds * 1000,
  })
  const checks = related.results.map((c) => redactCheck(c, (text) => run.presentable(text)))
  if (checks.length === 0)
    return { content: `No checks relate to ${targets.join(', ')}.`, isError: false }
  const red = checks.filter((c) => !c.passed)
  const head = checks
    .map(
      (c) => `${c.passed ? 'PASS' : 'FAIL'} ${c.name}: ${c.command.join(' ')} (${c.durationMs} ms)`,
    )
    .join('\n')
  if (red.length === 0) {
    const tail = trimMiddle(checks.map((c) => c.output.trim()).join('\n'), 1500)
    return { content: `All related checks pass.\n${head}\n${tail}`, isError: false }
  }
  return { content: `${head}\n\n${renderChecks(red, DEFAULT_PROMPT_LIMITS)}`, isError: false }
}

/**
 * gate: a red task goes to Claude only when auto-fix is on, a key is set (for the API fixer), its
 * files have been quiet for the fix debounce (and did not change since the task took its copy), no
 * breaker of its files is open and the day's budget has room. Otherwise it ends here, reported,
 * with nothing spent. Breakers and budget are judged after the wait, closest to the spend.
 */
import { breakerConfig, gateBreakers } from '../../fix/breaker'
import { checkBudgets } from '../../fix/budget'
import { end, next } from './endings'
import type { Next } from './endings'
import { quietGate } from './quiet-wait'
import type { TaskRun } from './task-run'
import { summarize } from './words'

export async function gateStage(run: TaskRun): Promise<Next> {
  const { deps, task } = run
  const summary = run.red.map(summarize).join('; ')
  if (!deps.settings.autoFix) return end({ kind: 'detected', summary, why: 'auto-fix is off' })
  // Claude Code brings its own login; the API fixer needs the key.
  if (deps.settings.fixer === 'api') {
    try {
      run.client = deps.client()
    } catch (error) {
      return end({
        kind: 'detected',
        summary,
        why: `${(error as Error).message} Set it to let Fixloop fix this.`,
      })
    }
  }

  const quiet = await quietGate(run)
  if (quiet) return quiet

  const state = deps.store.state()
  const gate = gateBreakers(
    state.breakers,
    task.files,
    deps.clock.now(),
    breakerConfig(deps.settings),
  )
  if (JSON.stringify(gate.breakers) !== JSON.stringify(state.breakers))
    await deps.store.write((s) => {
      s.breakers = gate.breakers
    })
  if (!gate.allowed) {
    deps.effects.notice('warn', 'Circuit breaker open', gate.reason)
    return end({ kind: 'failed', reason: gate.reason, blame: 'setup' })
  }
  if (gate.trial.length)
    run.info(`Half-open breaker: this task is the trial for ${gate.trial.join(', ')}`)

  const dayStop = checkBudgets({ day: deps.spend.today() }, deps.settings.budgets)
  if (dayStop) return end({ kind: 'paused', reason: dayStop.reason, keyRejected: false })
  return next('fix')
}

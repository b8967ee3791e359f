/**
 * The settings form's model. Numbers stay `number | null` (an emptied field) and lists are edited as
 * text; `draftPatch` turns the draft back into the contract's shape and keeps only what changed. The
 * draft is not validated here: the bridge validates it and its message is shown, so the rules live
 * in one place (src/shared/settings.ts).
 */
import type { EscalationChannel, Settings } from '../../../shared'

type Num = number | null

export interface SettingsDraft {
  model: string
  /** '' for none. */
  fallbackModel: string
  effort: Settings['effort']
  fixer: Settings['fixer']
  maxRetries: Num
  autoFix: boolean
  checkDebounceSeconds: Num
  debounceSeconds: Num
  maxWaitSeconds: Num
  breakerThreshold: Num
  breakerWindowSeconds: Num
  stormThreshold: Num
  flakyReruns: Num
  checkTimeoutSeconds: Num
  verifyFullSuite: boolean
  extraChecks: Array<{ name: string; command: string }>
  testCommand: string
  ignore: string
  watchExtensions: string
  watchBackend: Settings['watchBackend']
  testIntegrity: Settings['testIntegrity']
  apply: Settings['apply']
  sandbox: Settings['sandbox']
  concurrency: Num
  budgets: Record<keyof Settings['budgets'], Num>
  escalation: { githubRepo: string; rateLimitMinutes: Num; ladder: EscalationChannel[] }
  notifications: { escalationsOnly: boolean }
}

export const CHANNELS: EscalationChannel[] = ['log', 'desktop', 'github', 'slack', 'email']

/**
 * Settings the web dashboard shows read-only: each is a command the engine's machine runs, so it is
 * changed in `fixloop.config.json` (reviewed like code), not from a browser. The web bridge refuses
 * them too; it holds the same list (src/main/cli/dashboard/web-policy.ts), which the renderer may
 * not import. The Electron window, where the user is at their own machine, keeps them editable.
 */
export const WEB_READ_ONLY_SETTINGS = [
  'testCommand',
  'extraChecks',
] as const satisfies ReadonlyArray<keyof Settings>

/** Splits a command line into words; "double" and 'single' quotes group words with spaces. */
export function splitWords(line: string): string[] {
  const words: string[] = []
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g
  for (const m of line.matchAll(re)) words.push(m[1] ?? m[2] ?? m[3] ?? '')
  return words
}

export function joinWords(words: readonly string[]): string {
  return words.map((w) => (/\s/.test(w) || w === '' ? `"${w}"` : w)).join(' ')
}

const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)

export function toDraft(s: Settings): SettingsDraft {
  return {
    model: s.model,
    fallbackModel: s.fallbackModel ?? '',
    effort: s.effort,
    fixer: s.fixer,
    maxRetries: s.maxRetries,
    autoFix: s.autoFix,
    checkDebounceSeconds: s.checkDebounceSeconds,
    debounceSeconds: s.debounceSeconds,
    maxWaitSeconds: s.maxWaitSeconds,
    breakerThreshold: s.breakerThreshold,
    breakerWindowSeconds: s.breakerWindowSeconds,
    stormThreshold: s.stormThreshold,
    flakyReruns: s.flakyReruns,
    checkTimeoutSeconds: s.checkTimeoutSeconds,
    verifyFullSuite: s.verifyFullSuite,
    extraChecks: s.extraChecks.map((c) => ({ name: c.name, command: joinWords(c.command) })),
    testCommand: s.testCommand ? joinWords(s.testCommand) : '',
    ignore: s.ignore.join('\n'),
    watchExtensions: s.watchExtensions.join(', '),
    watchBackend: s.watchBackend,
    testIntegrity: s.testIntegrity,
    apply: s.apply,
    sandbox: s.sandbox,
    concurrency: s.concurrency,
    budgets: { ...s.budgets },
    escalation: {
      githubRepo: s.escalation.githubRepo ?? '',
      rateLimitMinutes: s.escalation.rateLimitMinutes,
      ladder: [...s.escalation.ladder],
    },
    notifications: { ...s.notifications },
  }
}

/** The draft in the contract's shape; values may still be invalid (the bridge says which). */
export function fromDraft(d: SettingsDraft): Record<keyof Settings, unknown> {
  const command = d.testCommand.trim()
  return {
    model: d.model.trim(),
    fallbackModel: d.fallbackModel.trim() || null,
    effort: d.effort,
    fixer: d.fixer,
    maxRetries: d.maxRetries,
    autoFix: d.autoFix,
    checkDebounceSeconds: d.checkDebounceSeconds,
    debounceSeconds: d.debounceSeconds,
    maxWaitSeconds: d.maxWaitSeconds,
    breakerThreshold: d.breakerThreshold,
    breakerWindowSeconds: d.breakerWindowSeconds,
    stormThreshold: d.stormThreshold,
    flakyReruns: d.flakyReruns,
    checkTimeoutSeconds: d.checkTimeoutSeconds,
    verifyFullSuite: d.verifyFullSuite,
    extraChecks: d.extraChecks.map((c) => ({
      name: c.name.trim(),
      command: splitWords(c.command),
    })),
    testCommand: command ? splitWords(command) : null,
    ignore: lines(d.ignore),
    watchExtensions: d.watchExtensions
      .split(/[\s,]+/)
      .map((e) => e.trim())
      .filter(Boolean),
    watchBackend: d.watchBackend,
    testIntegrity: d.testIntegrity,
    apply: d.apply,
    sandbox: d.sandbox,
    concurrency: d.concurrency,
    budgets: { ...d.budgets },
    escalation: {
      githubRepo: d.escalation.githubRepo.trim() || null,
      rateLimitMinutes: d.escalation.rateLimitMinutes,
      // Keep the ladder in its canonical order whatever order the boxes were ticked in.
      ladder: CHANNELS.filter((c) => d.escalation.ladder.includes(c)),
    },
    notifications: { ...d.notifications },
  }
}

/**
 * Only the top-level settings the user changed. The draft is compared with `current` as the form
 * shows it (through `toDraft`), not with `current` itself: a value the text fields cannot show
 * exactly (a command word holding a quote, say) is not "changed" until it is edited, so an
 * untouched read-only field is never sent.
 */
export function draftPatch(draft: SettingsDraft, current: Settings): Record<string, unknown> {
  const next = fromDraft(draft)
  const shown = fromDraft(toDraft(current))
  const patch: Record<string, unknown> = {}
  for (const key of Object.keys(next) as Array<keyof Settings>) {
    if (JSON.stringify(next[key]) !== JSON.stringify(shown[key])) patch[key] = next[key]
  }
  return patch
}

/**
 * The per-field messages in a bridge error such as
 * "Invalid arguments for updateSettings: patch.maxRetries: Too small…; patch.budgets.dayUsd: …".
 * Keys are the draft's fields: "maxRetries", "budgets.dayUsd", "extraChecks".
 */
export function fieldErrors(message: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const m of message.matchAll(/patch\.([\w.]+): (.+?)(?=; patch\.|; \(|$)/g)) {
    const path = (m[1] ?? '').split('.')
    const nested = path[0] === 'budgets' || path[0] === 'escalation' || path[0] === 'notifications'
    const key = nested && path[1] ? `${path[0]}.${path[1]}` : (path[0] ?? '')
    out[key] ??= m[2] ?? ''
  }
  return out
}

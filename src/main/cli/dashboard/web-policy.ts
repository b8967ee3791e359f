/**
 * What the web dashboard may not do that the Electron window may. The window is the user at their
 * own desk; the web page is whoever holds the printed URL (a shared screen, a shell history, a
 * proxy log). So settings whose value is a command this machine runs — on every change, and again
 * after a restart without the dashboard — are refused here: they live in `fixloop.config.json`,
 * where they are reviewed like the rest of the code. Changes to where failures are reported
 * (webhooks, tokens) are allowed but told to the terminal, never with their value.
 *
 * The renderer cannot import main code, so its Settings view declares the same list again
 * (src/renderer/src/lib/settings-draft.ts, `WEB_READ_ONLY_SETTINGS`).
 */
import type { BridgeError } from '../../../shared/contract'
import type { SecretName } from '../../../shared/settings'

/** Settings the web dashboard shows but cannot change: each is a command run on this machine. */
export const WEB_READ_ONLY_SETTINGS = ['testCommand', 'extraChecks'] as const

const SECRET_LABELS: Record<SecretName, string> = {
  anthropicApiKey: 'Anthropic API key',
  githubToken: 'GitHub token',
  slackWebhookUrl: 'Slack webhook URL',
  emailWebhookUrl: 'email webhook URL',
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Why the web dashboard may not run this command with these arguments, or null when it may.
 * `args` is still unvalidated: anything that is not a refused shape is left to the contract's
 * schema to judge.
 */
export function webRefusal(command: unknown, args: unknown): BridgeError | null {
  if (command !== 'updateSettings' || !isRecord(args) || !isRecord(args.patch)) return null
  const patch = args.patch
  const refused = WEB_READ_ONLY_SETTINGS.filter((key) => Object.hasOwn(patch, key))
  if (refused.length === 0) return null
  const names = refused.join(' and ')
  return {
    code: 'forbidden',
    message:
      `${names} ${refused.length === 1 ? 'is a command' : 'are commands'} run on this machine, so ` +
      `the web dashboard cannot change ${refused.length === 1 ? 'it' : 'them'}: set ` +
      `${refused.length === 1 ? 'it' : 'them'} in fixloop.config.json in the project folder and ` +
      `restart fixloop watch. Nothing was saved.`,
  }
}

/**
 * The terminal line for a change the web dashboard made that the person at the terminal should
 * know of, or null. Names what changed, never its value (a webhook URL is a secret).
 */
export function webChangeNotice(command: unknown, args: unknown): string | null {
  if (command !== 'setSecret' || !isRecord(args)) return null
  if (typeof args.name !== 'string' || !Object.hasOwn(SECRET_LABELS, args.name)) return null
  const label = SECRET_LABELS[args.name as SecretName]
  const cleared = typeof args.value !== 'string' || args.value.trim() === ''
  return `The web dashboard ${cleared ? 'cleared' : 'set'} the ${label}.`
}

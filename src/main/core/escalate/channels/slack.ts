/**
 * Slack incoming webhook. The payload is the seed orchestrator's: `{text, username, icon_emoji}`.
 * Slack answers errors as plain-text codes (`invalid_payload`, `no_service`, …); the ones that mean
 * "this webhook is gone" get a message that says what to do.
 */
import type { EscalationMessage } from '../types'
import { checkHttpUrl, checkWebhookStatus, DeliveryError, send } from '../http'

export interface SlackPayload {
  text: string
  username: string
  icon_emoji: string
}

export interface SlackOptions {
  /** The incoming webhook URL (a secret: its path is the credential). */
  webhookUrl: string
  /** @default globalThis.fetch */
  fetch?: typeof fetch
  /** @default 'Fixloop' */
  username?: string
  /** @default ':rotating_light:' */
  iconEmoji?: string
}

export function slackPayload(
  message: EscalationMessage,
  options: Pick<SlackOptions, 'username' | 'iconEmoji'> = {},
): SlackPayload {
  return {
    text: message.slack,
    username: options.username ?? 'Fixloop',
    icon_emoji: options.iconEmoji ?? ':rotating_light:',
  }
}

const GONE = new Set([
  'no_service',
  'no_team',
  'team_disabled',
  'invalid_token',
  'channel_not_found',
])

export async function sendSlack(
  payload: SlackPayload,
  options: SlackOptions & { signal: AbortSignal; now?: number },
): Promise<void> {
  const url = checkHttpUrl(options.webhookUrl, 'The Slack webhook URL (SLACK_WEBHOOK_URL)')
  const response = await send({
    fetch: options.fetch ?? globalThis.fetch,
    url: url.href,
    json: payload,
    signal: options.signal,
    service: 'the Slack webhook',
  })
  const code = response.body.trim()
  if (response.status >= 400 && response.status < 500 && response.status !== 429) {
    if (GONE.has(code) || response.status === 404 || response.status === 410) {
      throw new DeliveryError(
        `Slack refused the webhook (HTTP ${response.status} ${code || 'gone'}): it was revoked or its channel removed. Create a new incoming webhook and update SLACK_WEBHOOK_URL.`,
        { status: response.status },
      )
    }
  }
  checkWebhookStatus(response, 'the Slack webhook', url.host, options.now ?? Date.now())
}

/**
 * Email through a webhook (a mail relay, Zapier, a serverless function). The payload is the seed
 * orchestrator's: `{subject, body}`, body in plain text.
 */
import type { EscalationMessage } from '../types'
import { checkHttpUrl, checkWebhookStatus, send } from '../http'

export interface EmailPayload {
  subject: string
  body: string
}

export interface EmailOptions {
  /** The email webhook URL (treated as a secret). */
  webhookUrl: string
  /** @default globalThis.fetch */
  fetch?: typeof fetch
}

export const emailPayload = (message: EscalationMessage): EmailPayload => ({
  subject: message.title,
  body: message.text,
})

export async function sendEmail(
  payload: EmailPayload,
  options: EmailOptions & { signal: AbortSignal; now?: number },
): Promise<void> {
  const url = checkHttpUrl(options.webhookUrl, 'The email webhook URL (EMAIL_WEBHOOK_URL)')
  const response = await send({
    fetch: options.fetch ?? globalThis.fetch,
    url: url.href,
    json: payload,
    signal: options.signal,
    service: 'the email webhook',
  })
  checkWebhookStatus(response, 'the email webhook', url.host, options.now ?? Date.now())
}

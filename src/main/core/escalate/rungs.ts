/**
 * The rungs of the ladder, one per channel, behind one shape: is it configured, send a message,
 * send a test. The escalator walks them; each channel module knows only its own protocol.
 */
import type { EscalationChannel } from '../../../shared/domain'
import type { DesktopNotifier } from './channels/desktop'
import { emailPayload, sendEmail } from './channels/email'
import { createGithubIssues, reportToGithub, type GithubReportResult } from './channels/github'
import { sendSlack, slackPayload } from './channels/slack'
import { fingerprintMarker } from './fingerprint'
import { DeliveryError } from './http'
import type { EscalationLogEntry, EscalationMessage, EscalationSecrets } from './types'
import { raceAbort } from '../util/race-abort'

export interface RungContext {
  secrets: EscalationSecrets
  githubRepo: string | null
  githubBaseUrl: string
  userAgent: string
  desktop: DesktopNotifier | null
  fetch: typeof fetch
  log: (entry: EscalationLogEntry) => void
  now: () => number
}

export interface SendInput {
  message: EscalationMessage
  /** The GitHub issue remembered for this fingerprint. */
  knownIssue: number | null
}

export interface RungResult {
  detail: string
  url?: string
  github?: GithubReportResult
}

export interface Rung {
  channel: EscalationChannel
  /** Null when ready; otherwise what is missing, in words. */
  missing(ctx: RungContext): string | null
  send(input: SendInput, ctx: RungContext, signal: AbortSignal): Promise<RungResult>
  test(message: EscalationMessage, ctx: RungContext, signal: AbortSignal): Promise<RungResult>
}

const has = (value: string | null | undefined): value is string =>
  typeof value === 'string' && value.trim() !== ''

/** Settles with the promise, or rejects when the signal aborts first (a notifier that never returns). */
function raceSignal<T>(promise: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
  return raceAbort(promise, signal, (reason) => {
    const timedOut = (reason as { name?: string } | undefined)?.name === 'TimeoutError'
    return new DeliveryError(timedOut ? `${what} did not return in time.` : `${what} was aborted.`)
  })
}

const logRung: Rung = {
  channel: 'log',
  missing: () => null,
  send: async ({ message }, ctx) => {
    ctx.log({
      level: 'error',
      message: `Escalation: ${message.title} (fingerprint ${message.fingerprint})`,
      ...(message.taskId ? { taskId: message.taskId } : {}),
    })
    return { detail: 'logged' }
  },
  test: async (message, ctx) => {
    ctx.log({ level: 'info', message: message.text })
    return { detail: 'test line logged' }
  },
}

const desktopRung: Rung = {
  channel: 'desktop',
  missing: (ctx) => (ctx.desktop ? null : 'no desktop notifier in this shell'),
  send: async ({ message }, ctx, signal) => {
    if (!ctx.desktop) throw new DeliveryError('There is no desktop notifier in this shell.')
    const notification = { title: message.title, body: message.summary, taskId: message.taskId }
    await raceSignal(ctx.desktop.notify(notification), signal, 'The desktop notifier')
    return { detail: 'notification shown' }
  },
  test: (message, ctx, signal) => desktopRung.send({ message, knownIssue: null }, ctx, signal),
}

function githubIssues(ctx: RungContext) {
  return createGithubIssues({
    token: ctx.secrets.githubToken ?? '',
    repo: ctx.githubRepo ?? '',
    baseUrl: ctx.githubBaseUrl,
    fetch: ctx.fetch,
    userAgent: ctx.userAgent,
    now: ctx.now,
  })
}

const githubRung: Rung = {
  channel: 'github',
  missing: (ctx) => {
    const lack = [
      has(ctx.secrets.githubToken) ? null : 'GITHUB_TOKEN',
      has(ctx.githubRepo) ? null : 'GITHUB_REPO',
    ].filter((x) => x !== null)
    return lack.length > 0 ? `set ${lack.join(' and ')}` : null
  },
  send: async ({ message, knownIssue }, ctx, signal) => {
    const result = await reportToGithub(
      githubIssues(ctx),
      {
        marker: fingerprintMarker(message.fingerprint),
        title: message.title,
        body: message.markdown,
        comment: message.comment,
        knownIssue,
      },
      signal,
    )
    const n = result.issue.number
    const detail = result.action === 'opened' ? `issue #${n} opened` : `comment on #${n}`
    return { detail, url: result.url || undefined, github: result }
  },
  // A test must not open issues in someone's repository: it proves the token can reach them.
  test: async (_message, ctx, signal) => ({
    detail: `${await githubIssues(ctx).checkAccess(signal)} (no issue opened)`,
  }),
}

const slackRung: Rung = {
  channel: 'slack',
  missing: (ctx) => (has(ctx.secrets.slackWebhookUrl) ? null : 'set SLACK_WEBHOOK_URL'),
  send: async ({ message }, ctx, signal) => {
    await sendSlack(slackPayload(message), {
      webhookUrl: ctx.secrets.slackWebhookUrl ?? '',
      fetch: ctx.fetch,
      signal,
      now: ctx.now(),
    })
    return { detail: 'message sent' }
  },
  test: (message, ctx, signal) => slackRung.send({ message, knownIssue: null }, ctx, signal),
}

const emailRung: Rung = {
  channel: 'email',
  missing: (ctx) => (has(ctx.secrets.emailWebhookUrl) ? null : 'set EMAIL_WEBHOOK_URL'),
  send: async ({ message }, ctx, signal) => {
    await sendEmail(emailPayload(message), {
      webhookUrl: ctx.secrets.emailWebhookUrl ?? '',
      fetch: ctx.fetch,
      signal,
      now: ctx.now(),
    })
    return { detail: 'email sent' }
  },
  test: (message, ctx, signal) => emailRung.send({ message, knownIssue: null }, ctx, signal),
}

export const RUNGS: Readonly<Record<EscalationChannel, Rung>> = Object.freeze({
  log: logRung,
  desktop: desktopRung,
  github: githubRung,
  slack: slackRung,
  email: emailRung,
})

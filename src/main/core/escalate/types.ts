/**
 * The shapes the escalation ladder shares between its parts and with the orchestrator.
 */
import type { EscalationChannel, EscalationRecord, LogLevel } from '../../../shared/domain'

/** One failure, written once for every channel. Built by `formatEscalation`; redacted before sending. */
export interface EscalationMessage {
  fingerprint: string
  taskId: string | null
  /** A one-line title: the GitHub issue title, the email subject, the notification title. */
  title: string
  /** Two or three plain lines for a desktop notification. */
  summary: string
  /** The full report in GitHub markdown, with the hidden fingerprint marker first. */
  markdown: string
  /** The shorter markdown for a comment on an issue that already exists. */
  comment: string
  /** The full report as plain text, for email. */
  text: string
  /** A short report in Slack mrkdwn, mentions neutralised. */
  slack: string
}

/** Secrets the channels need. Absent or empty means "not configured". */
export interface EscalationSecrets {
  githubToken?: string | null
  slackWebhookUrl?: string | null
  emailWebhookUrl?: string | null
  /** Not used to send anything; only redacted from every payload should it appear in output. */
  anthropicApiKey?: string | null
}

/** What the ladder remembers about one fingerprint between failures. */
export interface EscalationMemoryEntry {
  /** ISO time of the last successful delivery, per channel. */
  lastAt: Partial<Record<EscalationChannel, string>>
  /** The GitHub issue opened for this fingerprint, once there is one. */
  githubIssue: number | null
  githubIssueUrl: string | null
}

/**
 * Where the ladder keeps its memory. The orchestrator implements it over the state file (one module
 * owns that file); `createInMemoryEscalationMemory` is the in-process version. Either method may be
 * synchronous or return a promise.
 */
export interface EscalationMemory {
  get(
    fingerprint: string,
  ): EscalationMemoryEntry | undefined | Promise<EscalationMemoryEntry | undefined>
  set(fingerprint: string, entry: EscalationMemoryEntry): void | Promise<void>
}

export type SkipReason = 'not_configured' | 'rate_limited'

/** A channel of the ladder that was not tried, and why. */
export interface SkippedChannel {
  channel: EscalationChannel
  reason: SkipReason
  /** In words: "set SLACK_WEBHOOK_URL", "sent 12 min ago (limit 60 min)". */
  detail: string
}

export interface EscalationResult {
  fingerprint: string
  /** One record per channel that was tried, in ladder order. Store them on the task. */
  records: EscalationRecord[]
  /** Channels of the ladder not tried. Not stored on the task; the log line names them. */
  skipped: SkippedChannel[]
}

/** A line for the engine's log. */
export interface EscalationLogEntry {
  level: LogLevel
  message: string
  taskId?: string
}

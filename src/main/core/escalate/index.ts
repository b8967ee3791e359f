/** The escalation ladder's public face, for the orchestrator and the shells. */
export { createEscalator } from './escalator'
export type {
  ChannelStatus,
  EscalateOptions,
  EscalationSettings,
  Escalator,
  EscalatorOptions,
} from './escalator'
export { consoleNotifier } from './channels/desktop'
export type { DesktopNotification, DesktopNotifier } from './channels/desktop'
export { createInMemoryEscalationMemory, emptyMemoryEntry } from './memory'
export type { InMemoryEscalationMemory, InMemoryEscalationMemoryOptions } from './memory'
export { fingerprint, fingerprintMarker, fingerprintParts } from './fingerprint'
export { formatEscalation } from './format'
export { DEFAULT_DELIVERY_POLICY } from './retry'
export type { DeliveryPolicy } from './retry'
export type {
  EscalationLogEntry,
  EscalationMemory,
  EscalationMemoryEntry,
  EscalationMessage,
  EscalationResult,
  EscalationSecrets,
  SkippedChannel,
  SkipReason,
} from './types'

/**
 * The names of the contract's commands and events, and the IPC channels derived from them.
 * Kept free of zod so the sandboxed preload can bundle it without pulling in the schemas;
 * `contract.ts` checks at compile time that its maps have exactly these keys.
 */
export const COMMAND_NAMES = [
  'getSnapshot',
  'getTask',
  'getLog',
  'start',
  'pause',
  'resume',
  'setProject',
  'chooseProjectFolder',
  'retryTask',
  'cancelTask',
  'undoTask',
  'approveTask',
  'rejectTask',
  'resetBreaker',
  'getSettings',
  'updateSettings',
  'setSecret',
  'testEscalation',
  'checkHealth',
] as const
export type CommandName = (typeof COMMAND_NAMES)[number]

export const EVENT_NAMES = ['snapshot', 'task', 'log', 'escalation', 'notice'] as const
export type EventName = (typeof EVENT_NAMES)[number]

/** IPC channel names, derived from the names above. */
export const ipcChannel = {
  command: (name: CommandName) => `fixloop:cmd:${name}`,
  event: (name: EventName) => `fixloop:evt:${name}`,
}

/**
 * The engine as the desktop app runs it: a Controller whose engines read each project's own
 * configuration (`fixloop.config.json`, `.env`, environment), then the settings the user changed in
 * the app, then the secrets kept with safeStorage; changes made through commands are persisted back
 * to the app's settings. No Electron here: the collaborators come in as parameters.
 */
import type { CommandHandlers } from '../../shared/contract'
import type { SecretName, Settings } from '../../shared/settings'
import type { ControllerPort } from '../core/bridge/controller-port'
import { loadConfig } from '../core/config/load-config'
import type { Secrets } from '../core/config/load-config'
import { Controller } from '../core/engine/controller'
import type { OrchestratorOptions } from '../core/engine/orchestrator'
import { Orchestrator } from '../core/engine/orchestrator'
import type { DesktopNotifier } from '../core/escalate/channels/desktop'
import type { Logger } from '../core/log/logger'
import type { AppPrefs } from './prefs-logic'
import { applyOverrides, settingsOverrides } from './prefs-logic'
import type { SecretVault } from './secrets-logic'

export interface AppControllerOptions {
  prefs: AppPrefs
  vault: SecretVault
  /** The secrets decrypted at start (`vault.loadAll()`); updated here when one changes. */
  secrets: Secrets
  /** The engine's desktop rung. */
  notifier: DesktopNotifier
  /** The shell's own log (dropped settings are reported there). */
  log: Logger
  /** The native folder dialog, for the window's chooseProjectFolder. */
  chooseFolder?: () => Promise<string | null>
  /** Told after a secret was stored or removed (the log's redactor is rebuilt). */
  onSecretsChanged?: () => void
  /** @default process.env */
  env?: NodeJS.ProcessEnv
  /** Further engine options (tests pass timers, a Claude client). @default none */
  engine?: Omit<OrchestratorOptions, 'config' | 'notifier' | 'persistSettings' | 'persistSecret'>
}

/** Builds the app's Controller. No project is opened here: see `openLastProject`. */
export function createAppController(options: AppControllerOptions): Controller {
  const { prefs, vault, log } = options
  const secrets = options.secrets

  const createEngine = (dir: string): Orchestrator => {
    const config = loadConfig({ dir, env: options.env ?? process.env })
    const root = config.projectRoot
    const base: Settings = config.settings
    const { settings, dropped } = applyOverrides(base, prefs.settingsOverrides(root))
    if (dropped.length)
      log.warn(`Settings changed in the app no longer apply to ${root}: ${dropped.join(', ')}`, {
        source: 'app',
      })
    return new Orchestrator({
      ...options.engine,
      // Secrets kept by the app win over the project's .env and the environment: they are what the
      // user last entered. A secret the app does not hold still comes from there.
      config: { ...config, settings, secrets: { ...config.secrets, ...secrets } },
      notifier: options.notifier,
      persistSettings: (next) => prefs.setSettingsOverrides(root, settingsOverrides(base, next)),
      persistSecret: async (name: SecretName, value) => {
        await vault.set(name, value)
        if (value) secrets[name] = value
        else delete secrets[name]
        options.onSecretsChanged?.()
      },
    })
  }

  return new Controller({
    createEngine,
    chooseFolder: options.chooseFolder,
    onProjectChanged: (root) => prefs.rememberProject(root),
  })
}

/**
 * The port the window and the tray use: the Controller's, except that storing a secret is refused
 * (with the reason) before the engine takes it, where the system cannot encrypt it. Without this the
 * engine would hold the secret for the session although it could not be kept.
 */
export function guardSecrets(port: ControllerPort, vault: SecretVault): ControllerPort {
  const handlers: CommandHandlers = {
    ...port.handlers,
    setSecret: async (args) => {
      if (args.value !== null && args.value.trim() !== '') await vault.assertWritable()
      return port.handlers.setSecret(args)
    },
  }
  return { handlers, on: (event, listener) => port.on(event, listener) }
}

/**
 * Reopens the project Fixloop last watched, if its folder still exists. Resolves to the reason when it
 * could not (a broken config file, another Fixloop holding the project), so the shell can tell the
 * user; never rejects.
 */
export async function openLastProject(
  controller: Controller,
  prefs: AppPrefs,
  exists: (path: string) => boolean,
): Promise<{ opened: string | null; error: string | null }> {
  const last = prefs.lastProject()
  if (!last || !exists(last)) return { opened: null, error: null }
  try {
    await controller.setProject(last)
    return { opened: last, error: null }
  } catch (error) {
    return { opened: null, error: (error as Error)?.message ?? String(error) }
  }
}

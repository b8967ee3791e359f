/**
 * Isolation: where every check and every fix runs. The project's shadow workspaces (copies outside
 * the project, kept in step with it) and the OS sandbox around check processes, set up at start and
 * disposed at stop, with what health says of each.
 */
import { basename, dirname, join } from 'node:path'
import type { Settings } from '../../../shared/settings'
import type { Logger } from '../log/logger'
import { SandboxUnavailableError, createSandbox } from '../sandbox'
import type { Sandbox } from '../sandbox'
import type { SyncReport } from '../shadow'
import { ShadowPool, pruneOrphanShadows, resolveCacheDir } from '../shadow'
import { GreenBaseline } from './green-baseline'
import { createProjectMatcher } from './project-watcher'
import type { CheckSandbox, Workspaces } from './pipeline/ports'

type Check = { ok: boolean; detail: string }

export interface Isolation {
  readonly workspaces: Workspaces
  /** null when checks run unsandboxed (in the shadow all the same). */
  readonly sandbox: CheckSandbox | null
  /** Set when checks may not run at all (`sandbox: required` and none works): why, in words. */
  readonly unavailable: string | null
  /** The project's tree at its last green run (null when it could not be opened: git is the fallback). */
  readonly baseline: GreenBaseline | null
  /** The shadows cannot be trusted (changes may have been missed): rebuilt before the next task. */
  invalidate(reason: string): void
  workspaceHealth(): Check
  sandboxHealth(): Check
  dispose(): Promise<void>
}

export interface IsolationOptions {
  root: string
  settings: Settings
  /** @default FIXLOOP_CACHE_DIR, else the OS cache folder + fixloop */
  cacheDir?: string
  log: Logger
}

export async function createIsolation(options: IsolationOptions): Promise<Isolation> {
  const { root, settings, log } = options
  let sandbox: Sandbox | null = null
  let unavailable: string | null = null
  try {
    sandbox = await createSandbox({ mode: settings.sandbox })
  } catch (error) {
    if (!(error instanceof SandboxUnavailableError)) throw error
    unavailable = error.message
  }
  const ignore = createProjectMatcher(root, settings)
  const pool = ShadowPool.open({
    projectRoot: root,
    ignore,
    cacheDir: options.cacheDir,
    log: (level, message) => log.log(level, message, { source: 'shadow' }),
  })
  // Shadows of projects deleted since are dropped, in the background.
  void pruneOrphanShadows(options.cacheDir ?? resolveCacheDir()).then(
    (removed) => {
      if (removed.length)
        log.info(`Removed ${removed.length} shadow workspace(s) of projects that are gone`, {
          source: 'shadow',
        })
    },
    () => undefined,
  )
  let prepareError: string | null = null
  let prepared = false
  // The first sync runs in the background: the first task's lease waits for it, start does not.
  const preparing = pool.prepare().then(
    (report) => {
      prepared = true
      log.info(`Shadow workspace ready: ${pool.dir} (${describeSync(report)})`, {
        source: 'shadow',
      })
    },
    (error: unknown) => {
      prepareError = (error as Error).message
      log.error(`Shadow workspace could not be prepared: ${prepareError}`, { source: 'shadow' })
    },
  )
  // Beside the shadows, named like them: <cache>/baselines/<name of the shadow pool>.
  const baseline = await GreenBaseline.open({
    cacheDir: join(dirname(dirname(pool.dir)), 'baselines', basename(pool.dir)),
    projectRoot: root,
    ignore,
  }).catch((error: unknown) => {
    log.warn(
      `No green baseline (the fixer is shown git's diff instead): ${(error as Error).message}`,
    )
    return null
  })
  if (baseline?.setAside) log.warn(`A damaged green baseline was set aside: ${baseline.setAside}`)
  const status = sandbox?.status
  log.info(
    status?.active
      ? `Sandbox: ${status.detail}`
      : `Sandbox: ${unavailable ?? status?.detail ?? 'none'}`,
    { source: 'sandbox' },
  )
  const active = sandbox && sandbox.status.active ? sandbox : null
  return {
    workspaces: pool,
    sandbox: active
      ? {
          // The project itself stays visible: a shadow's links point into it, even under /tmp.
          wrap: (argv, spec) =>
            active.wrap(argv, { ...spec, readable: [...(spec.readable ?? []), root] }),
        }
      : null,
    unavailable,
    baseline,
    invalidate: (reason) => pool.invalidate(reason),
    workspaceHealth: () =>
      prepareError
        ? { ok: false, detail: `cannot be prepared: ${prepareError}` }
        : { ok: true, detail: `${pool.dir}${prepared ? '' : ' (first sync in progress)'}` },
    sandboxHealth: () =>
      unavailable
        ? { ok: false, detail: unavailable }
        : { ok: true, detail: sandbox?.status.detail ?? 'none' },
    dispose: async () => {
      await preparing
      await pool.dispose()
    },
  }
}

function describeSync(report: SyncReport): string {
  return `${report.copied} copied, ${report.removed} removed, ${Math.round(report.ms)} ms`
}

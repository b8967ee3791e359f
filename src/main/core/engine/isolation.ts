/**
 * Isolation: where every check and every fix runs. The project's shadow workspaces (copies outside
 * the project, kept in step with it) and the OS sandbox around check processes, set up at start and
 * disposed at stop, with what health says of each.
 */
import { basename, dirname, join } from 'node:path'
import type { Settings } from '../../../shared/settings'
import type { ProjectFiles, WarmExecutor } from '../checks'
import { indexedFiles, skipsFolder } from '../checks'
import { WarmRunners } from '../checks/warm'
import type { Logger } from '../log/logger'
import { SandboxUnavailableError, createSandbox } from '../sandbox'
import type { Sandbox } from '../sandbox'
import type { SyncReport } from '../shadow'
import { ShadowPool, pruneOrphanShadows, resolveCacheDir } from '../shadow'
import { FileIndex } from '../watch/file-index'
import { GreenBaseline } from './green-baseline'
import { createProjectMatcher } from './project-watcher'
import type { CheckSandbox, Workspaces } from './pipeline/ports'

type Check = { ok: boolean; detail: string }

export interface Isolation {
  readonly workspaces: Workspaces
  /** null when checks run unsandboxed (in the shadow all the same). Known once `sandboxReady` is. */
  readonly sandbox: CheckSandbox | null
  /** Long-lived test runners, one per shadow (stopped by `dispose`); null: every check is cold. */
  readonly warm: WarmExecutor | null
  /**
   * Set when checks may not run at all (`sandbox: required` and none works): why, in words. Known
   * once `sandboxReady` is.
   */
  readonly unavailable: string | null
  /**
   * Settles (never rejects) once the OS sandbox is probed: a start of bwrap, ~10 ms, that `ready`
   * does not wait for. No check may start before.
   */
  readonly sandboxReady: Promise<void>
  /** The project's tree at its last green run (null when it could not be opened: git is the fallback). */
  readonly baseline: GreenBaseline | null
  /**
   * The project's files for choosing tests, kept current by the notes `workspaces` gets (so it serves
   * the shadows too: its paths are relative). Ready once `indexFiles` has walked the tree.
   */
  readonly files: ProjectFiles
  /** Walks the tree into `files`, in the background: the engine calls it after `ready`. */
  indexFiles(): void
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
  /** Keep a warm test runner per shadow workspace (see checks/warm). @default true */
  warmRunners?: boolean
}

export async function createIsolation(options: IsolationOptions): Promise<Isolation> {
  const { root, settings, log } = options
  let sandbox: Sandbox | null = null
  let unavailable: string | null = null
  let wrapper: CheckSandbox | null = null
  // Probed beside the rest of the start rather than before it; the engine takes no work until then.
  const sandboxReady = createSandbox({ mode: settings.sandbox }).then(
    (found) => {
      sandbox = found
      const active = found.status.active ? found : null
      wrapper = active && {
        // The project itself stays visible: a shadow's links point into it, even under /tmp.
        wrap: (argv, spec) =>
          active.wrap(argv, { ...spec, readable: [...(spec.readable ?? []), root] }),
      }
      log.info(`Sandbox: ${found.status.detail}`, { source: 'sandbox' })
    },
    (error: unknown) => {
      unavailable =
        error instanceof SandboxUnavailableError
          ? error.message
          : `The sandbox could not be set up: ${(error as Error).message}`
      log.info(`Sandbox: ${unavailable}`, { source: 'sandbox' })
    },
  )
  const ignore = createProjectMatcher(root, settings)
  const pool = ShadowPool.open({
    projectRoot: root,
    ignore,
    cacheDir: options.cacheDir,
    log: (level, message) => log.log(level, message, { source: 'shadow' }),
  })
  // What the shadows mirror, minus what test discovery passes over: planning asks it, not the disk.
  const index = new FileIndex({
    root,
    matcher: ignore,
    skipFolder: skipsFolder,
    onWarning: (message) => log.warn(message, { source: 'checks' }),
  })
  const files = indexedFiles(index)
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
  const warm =
    options.warmRunners === false
      ? null
      : new WarmRunners({ log: (level, message) => log.log(level, message, { source: 'checks' }) })
  return {
    workspaces: {
      lease: (taskFiles, signal) => pool.lease(taskFiles, signal),
      noteChanged: (rels) => {
        pool.noteChanged(rels)
        index.noteChanged(rels)
      },
    },
    get sandbox() {
      return wrapper
    },
    warm,
    get unavailable() {
      return unavailable
    },
    sandboxReady,
    baseline,
    files,
    indexFiles: () => {
      const started = performance.now()
      void index.start().then(() => {
        if (!index.ready) return
        const ms = Math.round(performance.now() - started)
        log.debug(`File index: ${index.size} files in ${ms} ms`, { source: 'checks' })
      })
    },
    invalidate: (reason) => {
      pool.invalidate(reason)
      index.rewalk()
    },
    workspaceHealth: () =>
      prepareError
        ? { ok: false, detail: `cannot be prepared: ${prepareError}` }
        : { ok: true, detail: `${pool.dir}${prepared ? '' : ' (first sync in progress)'}` },
    sandboxHealth: () =>
      unavailable
        ? { ok: false, detail: unavailable }
        : { ok: true, detail: sandbox?.status.detail ?? 'being probed' },
    dispose: async () => {
      index.dispose()
      await sandboxReady
      await warm?.dispose()
      await preparing
      await pool.dispose()
    },
  }
}

function describeSync(report: SyncReport): string {
  return `${report.copied} copied, ${report.removed} removed, ${Math.round(report.ms)} ms`
}

/**
 * The project's files as planning needs them: a runner's test files, and what a glob in its test
 * script matches. From the engine's file index when it is ready, so choosing tests costs what the
 * change and the tests cost, not what the tree does; from a walk of the runner's root otherwise.
 * Either way in `listProjectFiles` order, so both choose the same tests in the same order.
 */
import { lstatSync } from 'node:fs'
import path from 'node:path'
import type { FileIndex, TrackedFiles } from '../watch/file-index'
import {
  WIDEST_RANK,
  compareWalkOrder,
  globMatcher,
  isTestFile,
  listProjectFiles,
  skipsFolder,
  testRank,
} from './test-files'
import type { TestRank } from './test-files'
import type { RunnerInfo, RunnerKind } from './types'

export interface ProjectFiles {
  /** The folder the paths are relative to. */
  readonly root: string
  /** Complete: while it is not (the index's walk is still going), planning walks the tree. */
  readonly ready: boolean
  /** Resolves once the changes noted so far are in, so a plan sees the change it is made for. */
  settled(): Promise<void>
  /** The test files by `kind`'s naming rules below `under` (a folder, '' the root), relative to it. */
  testFiles(kind: RunnerKind, under: string): readonly string[]
  /** The files below `under` that a shell glob relative to it matches (see `matchGlob`). */
  matchGlob(pattern: string, under: string): string[]
}

/** What `PlanOptions` says about where the files come from. */
export interface FilesChoice {
  /** A list the caller already has. */
  files?: readonly string[]
  /** The engine's file index. */
  index?: ProjectFiles | null
  /** Told why the tree is walked. */
  debug?: (message: string) => void
}

export interface ChosenFiles {
  files: ProjectFiles
  /** The runner's root as a folder of `files.root` ('' when it is the root). */
  under: string
}

/**
 * The files to plan `runner`'s checks with: the caller's list; else the index, when it is ready and
 * its tree holds the runner's root (the root itself, or a folder in it such as a monorepo package);
 * else a walk of the runner's root, said in the debug log. With the index, the `changed` files
 * (relative to the runner's root) are looked at where the runner runs: a test there that the
 * user's tree lacks (the fixer created it in the shadow) is one the walk would have found.
 */
export function filesFor(
  runner: RunnerInfo,
  choice: FilesChoice,
  changed: readonly string[] = [],
): ChosenFiles {
  if (choice.files) return { files: listedFiles(runner.root, choice.files), under: '' }
  const index = choice.index
  if (!index?.ready) {
    choice.debug?.(
      `${index ? 'The file index is not ready yet' : 'No file index'}: walking ${runner.root} to choose tests`,
    )
    return { files: walkedFiles(runner.root), under: '' }
  }
  const rel = path.relative(index.root, runner.root)
  const under = rel.split(path.sep).join('/')
  const outside = rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)
  // Below a dot folder or build output the index has nothing: it does not go there
  if (outside || (under !== '' && under.split('/').some(skipsFolder))) {
    choice.debug?.(
      `The file index of ${index.root} does not cover ${runner.root}: walking it to choose tests`,
    )
    return { files: walkedFiles(runner.root), under: '' }
  }
  return { files: changed.length ? withPresence(index, under, changed) : index, under }
}

/** A list the caller already has. */
export function listedFiles(root: string, list: readonly string[]): ProjectFiles {
  return {
    root,
    ready: true,
    settled: () => Promise.resolve(),
    testFiles: (kind, under) => below(list, under).filter((f) => isTestFile(f, kind)),
    matchGlob: (pattern, under) => below(list, under).filter(globMatcher(pattern)),
  }
}

/** The tree under `root` as `listProjectFiles` walks it, once, when first asked. */
export function walkedFiles(root: string): ProjectFiles {
  let listed: ProjectFiles | null = null
  const files = () => (listed ??= listedFiles(root, listProjectFiles(root)))
  return {
    root,
    ready: true,
    settled: () => Promise.resolve(),
    testFiles: (kind, under) => files().testFiles(kind, under),
    matchGlob: (pattern, under) => files().matchGlob(pattern, under),
  }
}

/**
 * Planning's face of the engine's file index. Each file's test rank is judged once, as the index
 * learns of it (during its walk, when this is made before it), for every runner kind at once; the
 * sorted lists are rebuilt only when the tests change. A glob is matched against the whole index
 * on first use, then kept current the same way.
 */
export function indexedFiles(index: FileIndex): ProjectFiles {
  const ranks = index.track((rel): TestRank | undefined => {
    if (!discoverable(rel)) return undefined
    const rank = testRank(rel)
    return rank === 0 ? undefined : rank
  })
  const byKind = new Map<RunnerKind, SortedFiles>()
  const globs = new Map<string, { tracked: TrackedFiles<true>; sorted: SortedFiles }>()
  const tests = (kind: RunnerKind): readonly string[] => {
    const widest = WIDEST_RANK[kind]
    let sorted = byKind.get(kind)
    if (!sorted) byKind.set(kind, (sorted = new SortedFiles()))
    return sorted.of(ranks, (rank) => rank <= widest)
  }
  return {
    get root() {
      return index.root
    },
    get ready() {
      return index.ready
    },
    settled: () => index.settled(),
    testFiles: (kind, under) =>
      // Below a folder, names are judged from it, as a walk from there would: a file in a test/
      // folder above it is no test there. Every such test is one of the widest at the root.
      under ? below(tests('node'), under).filter((f) => isTestFile(f, kind)) : tests(kind),
    matchGlob: (pattern, under) => {
      const prefix = under ? `${under}/` : ''
      const key = `${prefix}\0${pattern}`
      let glob = globs.get(key)
      if (!glob) {
        const matches = globMatcher(pattern)
        const tracked = index.track((rel) =>
          discoverable(rel) && rel.startsWith(prefix) && matches(rel.slice(prefix.length))
            ? true
            : undefined,
        )
        globs.set(key, (glob = { tracked, sorted: new SortedFiles() }))
      }
      return [
        ...below(
          glob.sorted.of(glob.tracked, () => true),
          under,
        ),
      ]
    },
  }
}

/**
 * The same files, seen from a faithful copy of their tree at `root` (a shadow workspace): the paths
 * are relative, so the index of the user's tree lists the copy's as well.
 */
export function filesAt(files: ProjectFiles, root: string): ProjectFiles {
  return {
    root,
    get ready() {
      return files.ready
    },
    settled: () => files.settled(),
    testFiles: (kind, under) => files.testFiles(kind, under),
    matchGlob: (pattern, under) => files.matchGlob(pattern, under),
  }
}

/**
 * `files` with each of `changed` (relative to `under`) in or out as it is on disk there: the index
 * knows the user's tree, the runner may run in a copy the fixer has added to.
 */
function withPresence(
  files: ProjectFiles,
  under: string,
  changed: readonly string[],
): ProjectFiles {
  const folder = path.join(files.root, under)
  const candidates = changed.filter(discoverable)
  const onDisk = new Map<string, boolean>()
  const exists = (rel: string) => {
    let known = onDisk.get(rel)
    if (known === undefined) {
      try {
        known = lstatSync(path.join(folder, rel)).isFile()
      } catch {
        known = false
      }
      onDisk.set(rel, known)
    }
    return known
  }
  const adjust = (listed: readonly string[], belongs: (rel: string) => boolean) => {
    let set: Set<string> | null = null
    let moved = false
    for (const rel of candidates) {
      if (!belongs(rel)) continue
      set ??= new Set(listed)
      const there = exists(rel)
      if (there === set.has(rel)) continue
      if (there) set.add(rel)
      else set.delete(rel)
      moved = true
    }
    return moved && set ? [...set].sort(compareWalkOrder) : listed
  }
  return {
    get root() {
      return files.root
    },
    get ready() {
      return files.ready
    },
    settled: () => files.settled(),
    testFiles: (kind, inner) =>
      adjust(files.testFiles(kind, inner), (rel) => inner === under && isTestFile(rel, kind)),
    matchGlob: (pattern, inner) => {
      const matches = globMatcher(pattern)
      return [...adjust(files.matchGlob(pattern, inner), (rel) => inner === under && matches(rel))]
    },
  }
}

/** Whether test discovery looks at `rel` at all: no folder on its way is a dot folder or build output. */
function discoverable(rel: string): boolean {
  const parts = rel.split('/')
  for (let i = 0; i < parts.length - 1; i++) if (skipsFolder(parts[i] as string)) return false
  return true
}

/** A list in walk order, sorted again only when what it is drawn from has changed. */
class SortedFiles {
  #version = -1
  #list: readonly string[] = []

  of<T>(tracked: TrackedFiles<T>, keep: (value: T) => boolean): readonly string[] {
    if (tracked.version !== this.#version) {
      const out: string[] = []
      for (const [rel, value] of tracked.map) if (keep(value)) out.push(rel)
      this.#list = out.sort(compareWalkOrder)
      this.#version = tracked.version
    }
    return this.#list
  }
}

/** The files below `under`, relative to it; all of them when `under` is ''. */
function below(list: readonly string[], under: string): readonly string[] {
  if (!under) return list
  const prefix = `${under}/`
  return list.filter((f) => f.startsWith(prefix)).map((f) => f.slice(prefix.length))
}

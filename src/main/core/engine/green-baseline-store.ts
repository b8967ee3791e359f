/**
 * The green baseline's files under its cache folder: `index.json` (every file's size, mtime, hash
 * and kind at the last green run) and `blobs/<2 hex>/<62 hex>` (the content of its text files,
 * stored once per sha256). Only `GreenBaseline` uses this module.
 *
 * The index is replaced atomically (temp, fsync, rename) after the blobs it names are written, so
 * a crash leaves the old index or the new one. Blobs are renamed into place but not fsynced: one
 * torn by a power cut fails its hash check when read and is reported as unavailable, which costs
 * a diff, not a wrong one.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, readdir, rename, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { atomicWriteFile, isNotFound, removeIfPresent } from '../fix/atomic-file'
import { contentHash } from '../util/hash'

/**
 * `text` files have a blob; the others are tracked by hash only: `binary` (a NUL byte, or not
 * UTF-8), `large` (over the size limit) and `protected` (env files, keys, lockfiles: content the
 * fixer may not read, so it is neither stored nor shown).
 */
export type EntryKind = 'text' | 'binary' | 'large' | 'protected'

export interface BaselineEntry {
  size: number
  mtimeMs: number
  hash: string
  kind: EntryKind
}

export interface BaselineIndex {
  /** When the recorded run was green (the record's end). */
  recordedAt: number
  /** When the record's scan began: a file modified after it may look unchanged while it is not. */
  scanStartedAt: number
  entries: Map<string, BaselineEntry>
}

const Hash = z.string().regex(/^[0-9a-f]{64}$/)

const IndexFile = z.object({
  version: z.literal(1),
  projectRoot: z.string(),
  recordedAt: z.number(),
  scanStartedAt: z.number(),
  /** [path, size, mtimeMs, hash, kind]: a tuple per file keeps a 5,000-file index small. */
  files: z.array(
    z.tuple([
      z.string().min(1),
      z.number().int().nonnegative(),
      z.number(),
      Hash,
      z.enum(['text', 'binary', 'large', 'protected']),
    ]),
  ),
})

export type IndexRead =
  | { index: BaselineIndex }
  | { index: null; reason: 'missing' | 'other-project' }
  | { index: null; reason: 'corrupt'; setAside: string }

export class BaselineStore {
  readonly indexPath: string
  private readonly blobsDir: string
  /** Blob folders known to exist; forgotten by `sweep`, which may empty them. */
  private readonly madeDirs = new Set<string>()

  constructor(
    readonly dir: string,
    private readonly projectRoot: string,
  ) {
    this.indexPath = join(dir, 'index.json')
    this.blobsDir = join(dir, 'blobs')
  }

  /**
   * The stored index. A file that does not parse is renamed to `index.corrupt.json` (replacing an
   * older one) so a person can look at it, and the baseline starts over.
   */
  async readIndex(): Promise<IndexRead> {
    let text: string
    try {
      text = await readFile(this.indexPath, 'utf8')
    } catch (error) {
      if (isNotFound(error)) return { index: null, reason: 'missing' }
      throw error
    }
    let parsed: z.infer<typeof IndexFile>
    try {
      parsed = IndexFile.parse(JSON.parse(text))
    } catch {
      const setAside = join(this.dir, 'index.corrupt.json')
      await rename(this.indexPath, setAside)
      return { index: null, reason: 'corrupt', setAside }
    }
    if (parsed.projectRoot !== this.projectRoot) return { index: null, reason: 'other-project' }
    const entries = new Map<string, BaselineEntry>()
    for (const [path, size, mtimeMs, hash, kind] of parsed.files) {
      entries.set(path, { size, mtimeMs, hash, kind })
    }
    return {
      index: { recordedAt: parsed.recordedAt, scanStartedAt: parsed.scanStartedAt, entries },
    }
  }

  async writeIndex(index: BaselineIndex): Promise<void> {
    const files = [...index.entries].map(([path, e]) => [path, e.size, e.mtimeMs, e.hash, e.kind])
    const data = {
      version: 1,
      projectRoot: this.projectRoot,
      recordedAt: index.recordedAt,
      scanStartedAt: index.scanStartedAt,
      files,
    }
    await atomicWriteFile(this.indexPath, JSON.stringify(data))
  }

  /** Stores `bytes` under `hash`, replacing a blob of that name (which holds the same bytes or a torn copy). */
  async putBlob(hash: string, bytes: Uint8Array): Promise<void> {
    const path = this.blobPath(hash)
    const dir = join(this.blobsDir, hash.slice(0, 2))
    if (!this.madeDirs.has(dir)) {
      await mkdir(dir, { recursive: true })
      this.madeDirs.add(dir)
    }
    const temp = join(dir, `.${hash.slice(2, 18)}.${randomBytes(4).toString('hex')}.tmp`)
    try {
      await writeFile(temp, bytes, { flag: 'wx' })
      await rename(temp, path)
    } catch (error) {
      await removeIfPresent(temp)
      throw error
    }
  }

  /** The blob's bytes, or null when it is missing or does not hash to its name (torn). */
  async getBlob(hash: string): Promise<Buffer | null> {
    try {
      const bytes = await readFile(this.blobPath(hash))
      return contentHash(bytes) === hash ? bytes : null
    } catch (error) {
      if (isNotFound(error)) return null
      throw error
    }
  }

  async removeBlobs(hashes: Iterable<string>): Promise<void> {
    for (const hash of hashes) await removeIfPresent(this.blobPath(hash))
  }

  /** Removes every blob (and leftover temp file) whose hash is not in `keep`; returns how many. */
  async sweep(keep: ReadonlySet<string>): Promise<number> {
    this.madeDirs.clear()
    let removed = 0
    let dirs: string[]
    try {
      dirs = await readdir(this.blobsDir)
    } catch (error) {
      if (isNotFound(error)) return 0
      throw error
    }
    for (const prefix of dirs) {
      let names: string[]
      try {
        names = await readdir(join(this.blobsDir, prefix))
      } catch {
        continue
      }
      for (const name of names) {
        if (keep.has(prefix + name)) continue
        await unlink(join(this.blobsDir, prefix, name)).catch(() => undefined)
        removed++
      }
    }
    return removed
  }

  private blobPath(hash: string): string {
    return join(this.blobsDir, hash.slice(0, 2), hash.slice(2))
  }
}

/**
 * The sandboxed editor: carries out Claude's `str_replace_based_edit_tool` calls (view, create,
 * str_replace, insert) inside the project root and nowhere else.
 *
 * Every path is resolved against the real path of the root, walked component by component with
 * lstat (a symbolic link anywhere on the way is refused), and checked against the protected paths;
 * a hard-linked file (more than one link, here or in the user's project) is refused too.
 * Every write is journalled before the file is touched, registered as Fixloop's own, and made through a
 * temp file and a rename. A bad call never throws: it comes back as an error result Claude can act on.
 */
import { constants } from 'node:fs'
import { mkdir, open, readdir } from 'node:fs/promises'
import { isAbsolute, join, resolve } from 'node:path'
import { contentHash } from '../util/hash'
import { atomicWriteFile, decodeUtf8, siblingTempPathFor, tempPathFor } from './atomic-file'
import { Refusal, describe, formatBytes, optionalString, requireString } from './editor-input'
import { type Resolved, createPathResolver, hardLinkMessage } from './editor-paths'
import {
  lineAt,
  linesAt,
  nearMiss,
  numbered,
  occurrences,
  snippet,
  toLines,
  truncate,
} from './editor-text'
import type { EditorResult, EditorTool, EditorWrite, OwnWriteRegistry } from './editor-types'
import type { Journal } from './journal'
import { LISTING_SKIPPED_DIRS, isCaseInsensitiveFs, protectedReason } from './protected-paths'

export interface SandboxedEditorOptions {
  /** The project root. Nothing outside it can be read or written. */
  root: string
  /** Receives every write before it happens. */
  journal: Journal
  /** Told the hash of every write so the watcher ignores it. @default none */
  ownWrites?: OwnWriteRegistry
  /** Largest file that can be viewed or edited, and largest content written. @default 524288 (512 KiB) */
  maxFileBytes?: number
  /** Largest file a `view` with a `view_range` may read (bigger than an edit may touch). @default 16 MiB */
  maxViewBytes?: number
  /** Lines a `view` of a file shows before it asks for a `view_range`. @default 2000 */
  maxViewLines?: number
  /** Characters any result may carry. @default 100000 */
  maxResultChars?: number
  /** Entries a directory listing shows. @default 500 */
  maxListEntries?: number
  /**
   * Extra protection on top of the built-in list: return a reason (or true) to refuse a
   * project-relative path.
   * @default none
   */
  isProtected?: (relativePath: string) => string | boolean | null | undefined
  /** Fold case when matching protected names. @default detected from the root's file system */
  caseInsensitive?: boolean
  /** Other absolute names of the root (the user's project, for an editor in its shadow). @default [] */
  aliases?: readonly string[]
}

const COMMANDS = ['view', 'create', 'str_replace', 'insert'] as const

export function createSandboxedEditor(options: SandboxedEditorOptions): EditorTool {
  if (typeof options.root !== 'string' || !isAbsolute(options.root)) {
    throw new TypeError(`the editor's root must be an absolute path, got ${String(options.root)}`)
  }
  const maxFileBytes = positive(options.maxFileBytes, 512 * 1024, 'maxFileBytes')
  const maxViewBytes = positive(options.maxViewBytes, 16 * 1024 * 1024, 'maxViewBytes')
  const maxViewLines = positive(options.maxViewLines, 2000, 'maxViewLines')
  const maxResultChars = positive(options.maxResultChars, 100_000, 'maxResultChars')
  const maxListEntries = positive(options.maxListEntries, 500, 'maxListEntries')
  const { journal, ownWrites, isProtected } = options
  const givenRoot = resolve(options.root)
  const caseInsensitive = options.caseInsensitive ?? isCaseInsensitiveFs(givenRoot)
  const paths = createPathResolver({
    root: givenRoot,
    caseInsensitive,
    isProtected,
    aliases: options.aliases,
  })
  const resolvePath = paths.resolve
  const rootReal = paths.realRoot
  const done: EditorWrite[] = []
  let queue: Promise<unknown> = Promise.resolve()

  /** Reads a text file within the caps, or refuses with why. */
  async function readText(
    target: Resolved,
    limit = maxFileBytes,
  ): Promise<{ bytes: Buffer; text: string }> {
    if (target.kind === null) throw new Refusal(`${target.rel} does not exist.`)
    if (target.kind === 'dir') throw new Refusal(`${target.rel} is a directory, not a file.`)
    if (target.size > limit) {
      const hint =
        limit < maxViewBytes && target.size <= maxViewBytes
          ? ' View it by line range (view with view_range) to read it; it cannot be edited.'
          : ''
      throw new Refusal(
        `${target.rel} is ${formatBytes(target.size)}, over the editor's limit of ${formatBytes(limit)}; refused.${hint}`,
      )
    }
    const bytes = await readUnlinked(target)
    if (bytes.subarray(0, 8192).includes(0))
      throw new Refusal(`${target.rel} is a binary file; refused.`)
    const text = decodeUtf8(bytes)
    if (text === null) throw new Refusal(`${target.rel} is not UTF-8 text (binary?); refused.`)
    return { bytes, text }
  }

  /** Journals, registers and writes new content for a path. */
  async function write(target: Resolved, before: Buffer | null, after: string) {
    const size = Buffer.byteLength(after)
    if (size > maxFileBytes) {
      throw new Refusal(
        `the new content of ${target.rel} would be ${formatBytes(size)}, over the limit of ${formatBytes(maxFileBytes)}; refused.`,
      )
    }
    const root = await rootReal()
    for (const dir of target.missingDirs) {
      await journal.recordCreatedDir(dir)
      await mkdir(join(root, dir)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error
      })
    }
    try {
      await journal.record({ path: target.rel, before, after, mode: target.mode })
    } catch (error) {
      throw new Refusal(
        `the edit could not be journalled, so ${target.rel} was not changed: ${msg(error)}`,
      )
    }
    const hashAfter = contentHash(after)
    if (ownWrites) {
      ownWrites.register(target.abs, hashAfter)
      const given = join(givenRoot, ...target.rel.split('/'))
      if (given !== target.abs) ownWrites.register(given, hashAfter)
    }
    await atomicWriteFile(target.abs, after, {
      mode: target.mode,
      tempPath: tempPathFor(journal.root, journal.taskId, target.rel),
      fallbackTempPath: siblingTempPathFor(target.abs, journal.taskId),
    })
    const beforeText = before === null ? null : (decodeUtf8(before) ?? '')
    done.push({
      path: target.rel,
      hashBefore: before === null ? null : contentHash(before),
      hashAfter,
      contentBefore: beforeText,
      contentAfter: after,
    })
  }

  async function view(input: Record<string, unknown>): Promise<string> {
    const target = await resolvePath(input.path)
    if (target.kind === null) throw new Refusal(`${target.rel || '.'} does not exist.`)
    if (target.kind === 'dir') {
      if (input.view_range !== undefined && input.view_range !== null) {
        throw new Refusal(`view_range only applies to files; ${target.rel || '.'} is a directory.`)
      }
      return listDirectory(target)
    }
    const ranged = input.view_range !== undefined && input.view_range !== null
    const { text } = await readText(target, ranged ? maxViewBytes : maxFileBytes)
    const lines = toLines(text)
    let from = 1
    let to = lines.length
    let note = ''
    if (input.view_range !== undefined && input.view_range !== null) {
      const range = input.view_range
      if (!Array.isArray(range) || range.length !== 2 || !range.every(Number.isInteger)) {
        throw new Refusal(
          'view_range must be two integers [start, end]; use -1 as end for "to the end".',
        )
      }
      const [start, end] = range as [number, number]
      if (start < 1 || start > Math.max(lines.length, 1)) {
        throw new Refusal(
          `view_range start ${start} is outside ${target.rel}, which has ${lines.length} lines.`,
        )
      }
      if (end !== -1 && end < start) {
        throw new Refusal(`view_range end ${end} is before its start ${start}.`)
      }
      from = start
      to = end === -1 ? lines.length : Math.min(end, lines.length)
      if (end > lines.length) note = `\n(${target.rel} has only ${lines.length} lines.)`
    }
    if (lines.length === 0) return `${target.rel} is empty.`
    let shown = numbered(lines.slice(from - 1, to), from)
    if (to - from + 1 > maxViewLines) {
      shown = numbered(lines.slice(from - 1, from - 1 + maxViewLines), from)
      note += `\n(showing lines ${from}-${from + maxViewLines - 1} of ${lines.length}; use view_range for the rest.)`
    }
    return `Contents of ${target.rel}:\n${shown}${note}`
  }

  async function listDirectory(target: Resolved): Promise<string> {
    const out: string[] = []
    let more = 0
    const walk = async (abs: string, rel: string, depth: number) => {
      const entries = (await readdir(abs, { withFileTypes: true })).sort((a, b) =>
        a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
      )
      for (const entry of entries) {
        const childRel = rel ? `${rel}/${entry.name}` : entry.name
        if (entry.isDirectory() && LISTING_SKIPPED_DIRS.has(entry.name)) continue
        if (protectedReason(childRel, { caseInsensitive }) || isProtected?.(childRel)) continue
        if (entry.name.includes('.fixloop-') && entry.name.endsWith('.tmp')) continue
        if (out.length >= maxListEntries) {
          more++
          continue
        }
        if (entry.isSymbolicLink()) out.push(`${childRel} -> (symbolic link, not followed)`)
        else if (entry.isDirectory()) {
          out.push(`${childRel}/`)
          if (depth < 2) await walk(join(abs, entry.name), childRel, depth + 1)
        } else out.push(childRel)
      }
    }
    await walk(target.abs, target.rel, 1)
    const where = target.rel || 'the project root'
    const head = `Files and directories up to 2 levels deep in ${where} (paths relative to the project root; protected and build folders left out):`
    if (out.length === 0) return `${head}\n(empty)`
    return `${head}\n${out.join('\n')}${more ? `\n… and ${more} more entries` : ''}`
  }

  async function create(input: Record<string, unknown>): Promise<string> {
    const fileText = requireString(input.file_text, 'file_text', maxFileBytes)
    if (fileText.includes('\0'))
      throw new Refusal('file_text contains a NUL byte; the editor writes text only.')
    const target = await resolvePath(input.path)
    if (target.rel === '') throw new Refusal('path names the project root; give a file path.')
    if (target.kind === 'dir') throw new Refusal(`${target.rel} is a directory; give a file path.`)
    const before = target.kind === 'file' ? (await readText(target)).bytes : null
    await write(target, before, fileText)
    const lines = toLines(fileText).length
    return before === null
      ? `Created ${target.rel} (${lines} line${lines === 1 ? '' : 's'}).`
      : `Overwrote ${target.rel} with new content (${lines} line${lines === 1 ? '' : 's'}).`
  }

  async function strReplace(input: Record<string, unknown>): Promise<string> {
    const oldStr = requireString(input.old_str, 'old_str', maxFileBytes)
    const newStr = optionalString(input.new_str, 'new_str', maxFileBytes) ?? ''
    if (oldStr.length === 0)
      throw new Refusal('old_str is empty; to add text without replacing any, use insert.')
    if (newStr.includes('\0'))
      throw new Refusal('new_str contains a NUL byte; the editor writes text only.')
    if (oldStr === newStr)
      throw new Refusal('old_str and new_str are identical; nothing would change.')
    const target = await resolvePath(input.path)
    const { bytes, text } = await readText(target)
    let find = oldStr
    let replacement = newStr
    let positions = occurrences(text, find)
    let eolNote = ''
    // Claude writes LF; a CRLF file only matches once its line endings are used.
    if (
      positions.length === 0 &&
      text.includes('\r\n') &&
      oldStr.includes('\n') &&
      !oldStr.includes('\r')
    ) {
      find = oldStr.replace(/\n/g, '\r\n')
      replacement = newStr.replace(/\r?\n/g, '\r\n')
      positions = occurrences(text, find)
      if (positions.length > 0) eolNote = " (matched with the file's CRLF line endings)"
    }
    if (positions.length === 0) {
      throw new Refusal(
        `No match for old_str in ${target.rel}. It must match the file exactly, including whitespace and indentation; view the file to copy the exact text.${nearMiss(text, oldStr)}`,
      )
    }
    if (positions.length > 1) {
      const lines = linesAt(text, positions.slice(0, 21))
      const shown = lines.slice(0, 20).join(', ') + (lines.length > 20 ? ', …' : '')
      throw new Refusal(
        `old_str matches ${positions.length} times in ${target.rel}, at lines ${shown}. Include more surrounding lines to make it unique; nothing was changed.`,
      )
    }
    const at = positions[0]!
    const after = text.slice(0, at) + replacement + text.slice(at + find.length)
    await write(target, bytes, after)
    const firstLine = lineAt(after, at)
    const lastLine = lineAt(after, at + replacement.length)
    return `Edited ${target.rel}${eolNote}. The changed region now reads:\n${snippet(after, firstLine, lastLine)}`
  }

  async function insert(input: Record<string, unknown>): Promise<string> {
    const line = input.insert_line
    if (line === undefined || line === null)
      throw new Refusal('insert_line is missing: the line after which to insert (0 for the top).')
    if (typeof line !== 'number' || !Number.isInteger(line)) {
      throw new Refusal(`insert_line must be an integer, got ${describe(line)}.`)
    }
    const insertText = optionalString(input.insert_text, 'insert_text', maxFileBytes)
    const alias = optionalString(input.new_str, 'new_str', maxFileBytes)
    if (insertText !== undefined && alias !== undefined && insertText !== alias) {
      throw new Refusal('insert_text and new_str both given and different; send only insert_text.')
    }
    const addition = insertText ?? alias
    if (addition === undefined) throw new Refusal('insert_text is missing: the text to insert.')
    if (addition.includes('\0'))
      throw new Refusal('insert_text contains a NUL byte; the editor writes text only.')
    const target = await resolvePath(input.path)
    const { bytes, text } = await readText(target)
    const lines = toLines(text)
    if (line < 0 || line > lines.length) {
      throw new Refusal(
        `insert_line ${line} is outside ${target.rel}, which has ${lines.length} lines (use 0 to ${lines.length}).`,
      )
    }
    const eol = text.includes('\r\n') ? '\r\n' : '\n'
    const block = addition.replace(/\r?\n/g, eol).replace(new RegExp(`${eol}$`), '')
    // Offset just past line `line`, where the new lines go.
    let offset = 0
    for (let i = 0; i < line; i++) {
      const next = text.indexOf('\n', offset)
      offset = next === -1 ? text.length : next + 1
    }
    let after: string
    if (offset === text.length && text.length > 0 && !text.endsWith('\n')) {
      after = text + eol + block
    } else {
      after = text.slice(0, offset) + block + eol + text.slice(offset)
    }
    await write(target, bytes, after)
    const added = toLines(block).length || 1
    return `Inserted ${added} line${added === 1 ? '' : 's'} after line ${line} of ${target.rel}. The region now reads:\n${snippet(after, line + 1, line + added)}`
  }

  async function run(input: unknown, signal?: AbortSignal): Promise<EditorResult> {
    if (signal?.aborted) return error('The edit was cancelled before it ran.')
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return error(
        `The tool input must be an object with a "command" field, got ${describe(input)}.`,
      )
    }
    const call = input as Record<string, unknown>
    const command = call.command
    try {
      if (command === undefined)
        throw new Refusal(`command is missing; use one of: ${COMMANDS.join(', ')}.`)
      if (typeof command !== 'string')
        throw new Refusal(`command must be a string, got ${describe(command)}.`)
      switch (command) {
        case 'view':
          return ok(truncate(await view(call), maxResultChars))
        case 'create':
          return ok(await create(call))
        case 'str_replace':
          return ok(truncate(await strReplace(call), maxResultChars))
        case 'insert':
          return ok(truncate(await insert(call), maxResultChars))
        case 'undo_edit':
          throw new Refusal('undo_edit is not supported: make the reverse change with str_replace.')
        default:
          throw new Refusal(
            `Unknown command ${JSON.stringify(command.slice(0, 50))}; use one of: ${COMMANDS.join(', ')}.`,
          )
      }
    } catch (e) {
      if (e instanceof Refusal) return error(e.message)
      const where = typeof call.path === 'string' ? ` on ${call.path.slice(0, 200)}` : ''
      return error(`The editor failed running ${String(command).slice(0, 50)}${where}: ${msg(e)}`)
    }
  }

  return {
    execute(input, signal) {
      // One call at a time: concurrent tool calls must not interleave reads and writes of one file.
      const next = queue.then(() => run(input, signal))
      queue = next.catch(() => undefined)
      return next
    },
    writes: () => done,
  }
}

/**
 * Reads a file the resolver let through, judged again by what was opened: a link made between the
 * resolver's look and the read (a check running beside the agent can make one) is still refused.
 */
async function readUnlinked(target: Resolved): Promise<Buffer> {
  // O_NOFOLLOW is 0 on Windows, where the resolver's walk is the only guard against a symlink.
  const handle = await open(target.abs, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0))
  try {
    const st = await handle.stat()
    if (!st.isFile()) throw new Refusal(`${target.rel} is not a regular file; refused.`)
    if (st.nlink > 1) throw new Refusal(hardLinkMessage(target.rel, st.nlink))
    return await handle.readFile()
  } finally {
    await handle.close()
  }
}

const ok = (content: string): EditorResult => ({ content, isError: false })
const error = (content: string): EditorResult => ({ content, isError: true })

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value <= 0)
    throw new TypeError(`${name} must be a positive integer, got ${value}`)
  return value
}

const msg = (e: unknown) => (e instanceof Error ? e.message : String(e))

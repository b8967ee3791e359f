/**
 * The seam between the fixer's tool loop (Claude's `str_replace_based_edit_tool` calls) and the
 * sandboxed editor that carries them out inside the project root.
 */

/** What goes back to Claude as the `tool_result` of one call. */
export interface EditorResult {
  content: string
  isError: boolean
}

/** One write the editor made, as the journal recorded it. */
export interface EditorWrite {
  /** Project-relative, forward slashes. */
  path: string
  hashBefore: string | null
  hashAfter: string
  contentBefore: string | null
  contentAfter: string
}

export interface EditorTool {
  /** Runs one tool call. Never throws for a bad call: a refused or malformed call is an error result. */
  execute(input: unknown, signal?: AbortSignal): Promise<EditorResult>
  /** Writes made since this editor was created, in order. */
  writes(): readonly EditorWrite[]
}

/** The core registers the hash of every file it writes, so the watcher can drop its own changes. */
export interface OwnWriteRegistry {
  register(absolutePath: string, hash: string): void
}

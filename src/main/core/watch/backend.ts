import type { ChangeType } from './change-batcher'

/** `native`: @parcel/watcher (inotify, FSEvents, ReadDirectoryChangesW). `polling`: chokidar polling stats. */
export type BackendKind = 'native' | 'polling'

/** One raw file-system event, as a backend saw it. */
export interface RawEvent {
  /** Absolute path. */
  path: string
  type: ChangeType
}

export interface BackendHandlers {
  onEvents(events: RawEvent[]): void
  /** The backend failed while running; it may have stopped delivering events. */
  onError(error: Error): void
  /** A path was skipped (it may not be read) but watching goes on; `reason` is the error's text. */
  onWarning(reason: string, absolutePath?: string): void
}

/** A running backend. */
export interface BackendHandle {
  readonly kind: BackendKind
  /** Stops delivering events. Never rejects. */
  close(): Promise<void>
}

/**
 * The native folder dialog, attached to the dashboard when it is open.
 */
import { dialog } from 'electron'
import type { BrowserWindow, OpenDialogOptions } from 'electron'

export async function chooseProjectFolder(parent: BrowserWindow | null): Promise<string | null> {
  const options: OpenDialogOptions = {
    title: 'Choose a project folder',
    buttonLabel: 'Watch this folder',
    properties: ['openDirectory', 'createDirectory'],
  }
  const result = parent
    ? await dialog.showOpenDialog(parent, options)
    : await dialog.showOpenDialog(options)
  return result.canceled ? null : (result.filePaths[0] ?? null)
}

/** The last resort when the app cannot start: a plain message box, then exit. */
export function showFatalError(error: unknown): void {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
  dialog.showErrorBox('Fixloop could not start', message)
}

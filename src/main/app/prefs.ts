/**
 * The app's settings file (electron-store, `settings.json` in the user data folder) behind AppPrefs.
 */
import Store from 'electron-store'
import { AppPrefs } from './prefs-logic'

export function createPrefs(): AppPrefs {
  const store = new Store<Record<string, unknown>>({
    name: 'settings',
    // Project paths are keys of `projectSettings`, and paths have dots: keys are never paths here.
    accessPropertiesByDotNotation: false,
    // A damaged file is replaced by an empty one rather than keeping the app from starting.
    clearInvalidConfig: true,
  })
  return new AppPrefs(store)
}

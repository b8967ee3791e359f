/**
 * Launch at login. macOS and Windows have it in Electron (`app.setLoginItemSettings`); on Linux,
 * where Electron has none, it is an XDG autostart entry (`~/.config/autostart/<id>.desktop`), which
 * GNOME, KDE, Xfce and the other freedesktop sessions read.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface LoginItem {
  /** False where launch at login cannot be set (the menu item is hidden). */
  readonly supported: boolean
  isEnabled(): boolean
  setEnabled(on: boolean): void
}

export interface LinuxAutostartOptions {
  /** `$XDG_CONFIG_HOME`, else `~/.config`. */
  configHome: string
  /** The program to start: the AppImage file when run from one, else the executable. */
  exec: string
  /** @default 'dev.fixloop.app' */
  id?: string
  /** @default 'Fixloop' */
  name?: string
}

/**
 * Quotes a program path for a desktop entry's Exec key (freedesktop Desktop Entry spec, "The Exec
 * key"): a path with reserved characters goes in double quotes with `"`, `` ` ``, `$` and `\`
 * backslash-escaped; then the value is escaped as a string (each `\` doubled, applied before the
 * quoting rule when read), and `%` is doubled because it starts a field code.
 */
export function quoteExec(path: string): string {
  const quoted = /[\s"'`$\\><~|&;*?#()]/.test(path)
    ? `"${path.replace(/(["`$\\])/g, '\\$1')}"`
    : path
  return quoted.replace(/\\/g, '\\\\').replace(/%/g, '%%')
}

export function desktopEntry(options: Required<LinuxAutostartOptions>): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    `Name=${options.name}`,
    'Comment=Keeps a code project’s tests green',
    `Exec=${quoteExec(options.exec)}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n')
}

export function linuxAutostart(options: LinuxAutostartOptions): LoginItem & { file: string } {
  const full: Required<LinuxAutostartOptions> = {
    id: 'dev.fixloop.app',
    name: 'Fixloop',
    ...options,
  }
  const dir = join(full.configHome, 'autostart')
  const file = join(dir, `${full.id}.desktop`)
  return {
    supported: true,
    file,
    isEnabled: () => {
      try {
        const text = readFileSync(file, 'utf8')
        // A user who turned it off in the session settings gets Hidden=true or enabled=false.
        return (
          !/^Hidden\s*=\s*true\s*$/m.test(text) &&
          !/^X-GNOME-Autostart-enabled\s*=\s*false\s*$/m.test(text)
        )
      } catch {
        return false
      }
    },
    setEnabled: (on) => {
      if (on) {
        mkdirSync(dir, { recursive: true })
        writeFileSync(file, desktopEntry(full))
      } else if (existsSync(file)) {
        rmSync(file, { force: true })
      }
    },
  }
}

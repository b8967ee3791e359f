import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { desktopEntry, linuxAutostart, quoteExec } from '../../src/main/app/login-item-logic'

let home: string
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'fixloop-xdg-'))
})
afterEach(() => rmSync(home, { recursive: true, force: true }))

describe('linuxAutostart', () => {
  it('writes and removes an XDG autostart entry', () => {
    const item = linuxAutostart({ configHome: home, exec: '/opt/Fixloop/fixloop' })
    expect(item.isEnabled()).toBe(false)
    item.setEnabled(true)
    expect(item.file).toBe(join(home, 'autostart', 'dev.fixloop.app.desktop'))
    const text = readFileSync(item.file, 'utf8')
    expect(text).toMatch(/^\[Desktop Entry\]\nType=Application\n/)
    expect(text).toContain('Exec=/opt/Fixloop/fixloop\n')
    expect(item.isEnabled()).toBe(true)
    item.setEnabled(false)
    expect(item.isEnabled()).toBe(false)
    item.setEnabled(false)
  })

  it('counts an entry the session turned off as off', () => {
    const item = linuxAutostart({ configHome: home, exec: '/x' })
    item.setEnabled(true)
    writeFileSync(item.file, `${readFileSync(item.file, 'utf8')}Hidden=true\n`)
    expect(item.isEnabled()).toBe(false)
  })
})

describe('quoteExec', () => {
  it.each([
    ['/opt/Fixloop/fixloop', '/opt/Fixloop/fixloop'],
    ['/home/ada/Apps/Fixloop 1.0.AppImage', '"/home/ada/Apps/Fixloop 1.0.AppImage"'],
    ['/home/ada/$HOME/"x"', '"/home/ada/\\\\$HOME/\\\\"x\\\\""'],
    ['/home/ada/100%/f', '/home/ada/100%%/f'],
  ])('%s', (path, exec) => {
    expect(quoteExec(path)).toBe(exec)
  })

  it('is used for the Exec key', () => {
    expect(desktopEntry({ configHome: home, exec: '/a b/c', id: 'x', name: 'Fixloop' })).toContain(
      'Exec="/a b/c"\n',
    )
  })
})

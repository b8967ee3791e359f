/**
 * App-wide hardening (Electron's security checklist): no navigation away from our page, no new
 * windows, no webviews, every permission denied, and external links only for the ones we built.
 * The decisions are in security-logic.ts; this file applies them to every webContents and session.
 */
import { app, session, shell } from 'electron'
import type { Session } from 'electron'
import type { Logger } from '../core/log/logger'
import type { ExternalLinks } from './security-logic'
import { navigationAllowed, permissionAllowed, windowOpenDecision } from './security-logic'

export interface HardeningOptions {
  links: ExternalLinks
  log: Logger
}

export function setupHardening(options: HardeningOptions): void {
  const { links, log } = options
  app.on('web-contents-created', (_event, contents) => {
    const refuse = (kind: string) => (event: { preventDefault(): void }, url: string) => {
      if (navigationAllowed(url)) return
      event.preventDefault()
      log.warn(`Refused ${kind} to ${url}`, { source: 'security' })
    }
    contents.on('will-navigate', refuse('navigation'))
    // Subframes (there should be none) navigate without will-navigate.
    contents.on('will-frame-navigate', (event) => {
      if (!event.isMainFrame) refuse('frame navigation')(event, event.url)
    })
    contents.on('will-redirect', refuse('redirect'))
    contents.on('will-attach-webview', (event) => {
      event.preventDefault()
      log.warn('Refused a <webview>', { source: 'security' })
    })
    contents.setWindowOpenHandler(({ url }) => {
      const decision = windowOpenDecision(url, links)
      if (decision.openExternally) void shell.openExternal(url)
      else log.warn(`Refused to open ${url}`, { source: 'security' })
      return { action: decision.action }
    })
  })
  denyPermissions(session.defaultSession)
}

/** Every permission request and check is denied unless security-logic grants it (none are). */
export function denyPermissions(ses: Session): void {
  ses.setPermissionRequestHandler((_wc, permission, callback) =>
    callback(permissionAllowed(permission)),
  )
  ses.setPermissionCheckHandler((_wc, permission) => permissionAllowed(permission))
  ses.setDevicePermissionHandler(() => false)
  ses.setDisplayMediaRequestHandler((_request, callback) => callback(null))
}

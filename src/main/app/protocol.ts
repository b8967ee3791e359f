/**
 * The `app://` scheme the renderer is served from. Registered as privileged before the app is ready;
 * its handler (renderer-files-logic.ts) serves only the files of the built renderer.
 */
import { protocol } from 'electron'
import { createRendererHandler } from './renderer-files-logic'
import { APP_SCHEME, APP_SCHEME_REGISTRATION } from './security-logic'

/** Must run before `app` is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([APP_SCHEME_REGISTRATION])
}

/** Serves `rendererDir` on `app://fixloop/` for the default session. */
export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, createRendererHandler(rendererDir))
}

/**
 * Electron's security checklist, asserted on the code that creates the window and the app: the
 * window's options, the renderer's protocol and CSP, the navigation / window.open / permission
 * decisions, and the fuses of the packaged binary (electron-builder.yml, read with electron-builder's
 * own loader).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { getConfig } from 'app-builder-lib/out/util/config/config'
import { describe, expect, it } from 'vitest'
import {
  APP_SCHEME_REGISTRATION,
  CONTENT_SECURITY_POLICY,
  ExternalLinks,
  RENDERER_ENTRY,
  RENDERER_HEADERS,
  escalationLinks,
  isHttpUrl,
  isRendererUrl,
  navigationAllowed,
  permissionAllowed,
  windowOpenDecision,
} from '../../src/main/app/security-logic'
import { dashboardWindowOptions, secureWebPreferences } from '../../src/main/app/window-options'

const root = join(import.meta.dirname, '..', '..')
const source = (path: string) => readFileSync(join(root, path), 'utf8')

describe('the dashboard window', () => {
  const options = dashboardWindowOptions({ preloadPath: '/app/out/preload/index.cjs' })
  const prefs = options.webPreferences ?? {}

  it('isolates the page from the preload and from Node', () => {
    expect(prefs.contextIsolation).toBe(true)
    expect(prefs.sandbox).toBe(true)
    expect(prefs.nodeIntegration).toBe(false)
    expect(prefs.nodeIntegrationInWorker).toBe(false)
    expect(prefs.nodeIntegrationInSubFrames).toBe(false)
  })

  it('keeps web security on and insecure content, webviews and experiments off', () => {
    expect(prefs.webSecurity).toBe(true)
    expect(prefs.allowRunningInsecureContent).toBe(false)
    expect(prefs.webviewTag).toBe(false)
    expect(prefs.experimentalFeatures).toBe(false)
    expect(prefs.enableBlinkFeatures).toBe('')
    expect(prefs.navigateOnDragDrop).toBe(false)
  })

  it('loads the sandboxed CommonJS preload it is given', () => {
    expect(prefs.preload).toBe('/app/out/preload/index.cjs')
    expect(secureWebPreferences('/x.cjs').preload).toBe('/x.cjs')
  })

  it('starts hidden and shows itself when ready', () => {
    expect(options.show).toBe(false)
    expect(source('src/main/app/window.ts')).toMatch(
      /once\('ready-to-show', \(\) => win\.show\(\)\)/,
    )
  })

  it('is created from these options, and only there', () => {
    const window = source('src/main/app/window.ts')
    expect(window).toMatch(/new BrowserWindow\(\s*dashboardWindowOptions\(/)
    // Developer tools only in development.
    expect(window).toMatch(/devTools: !app\.isPackaged/)
    for (const file of ['src/main/index.ts', 'src/main/app/tray.ts', 'src/main/app/ipc.ts']) {
      expect(source(file)).not.toMatch(/new BrowserWindow\(/)
    }
  })

  it('keeps saved bounds but never below the minimum size', () => {
    const o = dashboardWindowOptions({
      preloadPath: '/p',
      bounds: { x: 10, y: 20, width: 300, height: 200 },
    })
    expect(o).toMatchObject({ x: 10, y: 20, width: 800, height: 600 })
  })
})

describe('the renderer protocol', () => {
  it('is a standard, secure scheme without CSP bypass or service workers', () => {
    expect(APP_SCHEME_REGISTRATION.scheme).toBe('app')
    expect(APP_SCHEME_REGISTRATION.privileges).toMatchObject({
      standard: true,
      secure: true,
      bypassCSP: false,
      allowServiceWorkers: false,
    })
  })

  it('sends a strict Content-Security-Policy with every response', () => {
    const directives = new Map(
      CONTENT_SECURITY_POLICY.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/)
        return [name, values.join(' ')] as const
      }),
    )
    expect(directives.get('default-src')).toBe("'none'")
    expect(directives.get('script-src')).toBe("'self'")
    expect(directives.get('connect-src')).toBe("'none'")
    expect(directives.get('object-src')).toBe("'none'")
    expect(directives.get('frame-ancestors')).toBe("'none'")
    expect(directives.get('base-uri')).toBe("'none'")
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/)
    expect(RENDERER_HEADERS['content-security-policy']).toBe(CONTENT_SECURITY_POLICY)
    expect(RENDERER_HEADERS['x-content-type-options']).toBe('nosniff')
  })

  it('is the only place the window loads from in a packaged app', () => {
    expect(RENDERER_ENTRY).toBe('app://fixloop/index.html')
    const index = source('src/main/index.ts')
    expect(index).toMatch(/app\.isPackaged \? undefined : process\.env\.ELECTRON_RENDERER_URL/)
    expect(index).toMatch(/baseUrl: devServerUrl \?\? RENDERER_ENTRY/)
    expect(source('src/main/app/window.ts')).not.toMatch(/loadFile|file:\/\//)
  })

  it('recognises our renderer and the dev server only', () => {
    expect(isRendererUrl('app://fixloop/index.html#/task/task_1')).toBe(true)
    expect(isRendererUrl('app://other/index.html')).toBe(false)
    expect(isRendererUrl('file:///app/out/renderer/index.html')).toBe(false)
    expect(isRendererUrl('https://evil.example/')).toBe(false)
    expect(isRendererUrl('http://localhost:5173/#/', 'http://localhost:5173')).toBe(true)
    expect(isRendererUrl('http://localhost:5174/', 'http://localhost:5173')).toBe(false)
    expect(isRendererUrl('not a url')).toBe(false)
  })
})

describe('navigation, new windows and permissions', () => {
  it('denies every navigation away from the page', () => {
    for (const url of ['https://example.com', 'app://fixloop/other.html', 'file:///etc/passwd']) {
      expect(navigationAllowed(url)).toBe(false)
    }
  })

  it('never opens a window, and opens outside only the links we handed out', () => {
    const links = new ExternalLinks()
    links.allow('https://github.com/acme/app/issues/12')
    expect(windowOpenDecision('https://github.com/acme/app/issues/12', links)).toEqual({
      action: 'deny',
      openExternally: true,
    })
    for (const url of [
      'https://github.com/acme/app/issues/13',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
      'https://user:pw@github.com/acme/app/issues/12',
    ]) {
      expect(windowOpenDecision(url, links)).toEqual({ action: 'deny', openExternally: false })
    }
  })

  it('remembers only clean http(s) links, and a bounded number of them', () => {
    const links = new ExternalLinks(2)
    links.allow('ftp://example.com/x')
    links.allow('https://a.example/1')
    links.allow('https://a.example/2')
    links.allow('https://a.example/3')
    expect(links.isAllowed('ftp://example.com/x')).toBe(false)
    expect(links.isAllowed('https://a.example/1')).toBe(false)
    expect(links.isAllowed('https://a.example/3')).toBe(true)
    expect(isHttpUrl('http://127.0.0.1:8080/x')).toBe(true)
    expect(isHttpUrl('https://:pw@x.example/')).toBe(false)
  })

  it('collects the links of escalation records from tasks, events and test escalations', () => {
    expect(
      escalationLinks({
        escalations: [{ url: 'https://github.com/a/b/issues/1' }, { detail: 'x' }],
      }),
    ).toEqual(['https://github.com/a/b/issues/1'])
    expect(
      escalationLinks({ taskId: null, record: { url: 'https://github.com/a/b/issues/2' } }),
    ).toEqual(['https://github.com/a/b/issues/2'])
    expect(
      escalationLinks({
        channel: 'github',
        fingerprint: 'f',
        url: 'https://github.com/a/b/issues/3',
      }),
    ).toEqual(['https://github.com/a/b/issues/3'])
    expect(escalationLinks({ url: 'https://not-a-record.example/' })).toEqual([])
    expect(escalationLinks(null)).toEqual([])
  })

  it('grants no permission', () => {
    for (const p of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal']) {
      expect(permissionAllowed(p)).toBe(false)
    }
  })

  it('applies these decisions to every webContents and the session', () => {
    const hardening = source('src/main/app/hardening.ts')
    expect(hardening).toMatch(/app\.on\('web-contents-created'/)
    expect(hardening).toMatch(/on\('will-navigate'/)
    expect(hardening).toMatch(/on\('will-attach-webview'/)
    expect(hardening).toMatch(/setWindowOpenHandler\(/)
    expect(hardening).toMatch(/setPermissionRequestHandler\(/)
    expect(hardening).toMatch(/setPermissionCheckHandler\(/)
    expect(hardening).toMatch(/shell\.openExternal\(url\)/)
    // openExternal is called nowhere else.
    for (const file of ['src/main/index.ts', 'src/main/app/tray.ts', 'src/main/app/window.ts']) {
      expect(source(file)).not.toMatch(/openExternal/)
    }
    const index = source('src/main/index.ts')
    for (const call of [
      'registerAppScheme()',
      'app.enableSandbox()',
      'setupHardening(',
      'serveRenderer(',
    ]) {
      expect(index).toContain(call)
    }
  })
})

describe('the packaged binary', () => {
  it('has its security fuses set by electron-builder', async () => {
    const config = await getConfig(root, null, null)
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    })
    expect(config.asar).toBe(true)
  })
})

/**
 * The bubblewrap sandbox, for real: each test wraps a real `node -e` with this machine's bwrap and
 * checks what it could and could not do. Skipped (with the reason in the suite name) where bwrap
 * is missing or cannot create a sandbox.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { killTree, spawnTree } from '../../../src/main/core/checks/process-tree'
import { findOnPath } from '../../../src/main/core/sandbox'
import type { WrapSpec } from '../../../src/main/core/sandbox'
import {
  bwrapReady,
  bwrapSuite,
  exists,
  hostSandbox,
  node,
  pidsWith,
  run,
  tempDir,
  waitUntil,
} from './support'

/** A project, its shadow and the shadow's private tmp, all in one temp dir under os.tmpdir(). */
function layout() {
  const root = tempDir()
  const project = path.join(root, 'project')
  const shadow = path.join(root, 'shadow')
  mkdirSync(path.join(project, '.git/hooks'), { recursive: true })
  mkdirSync(shadow)
  const spec: WrapSpec = {
    cwd: shadow,
    writable: [shadow],
    tmpDir: path.join(root, 'tmp'),
    readable: [project],
  }
  return { root, project, shadow, spec }
}

/** A script that tries to write each path and prints `{ path: "ok" | errno code }`. */
function tryWrites(paths: string[]): string[] {
  const script = `
    const fs = require('fs')
    const out = {}
    for (const p of process.argv.slice(1)) {
      try { fs.writeFileSync(p, 'x'); out[p] = 'ok' } catch (e) { out[p] = e.code }
    }
    console.log(JSON.stringify(out))`
  return node(script, ...paths)
}

const DENIED = ['EROFS', 'EACCES', 'EPERM']

describe.skipIf(!bwrapReady)(bwrapSuite, () => {
  it('lets a check write the shadow workspace and its private temp folder', async () => {
    const { shadow, spec } = layout()
    const inTmp = `/tmp/fixloop-probe-${process.pid}`
    const inOsTmp = path.join(os.tmpdir(), `fixloop-probe-os-${process.pid}`)
    const r = await run(
      hostSandbox.wrap(tryWrites([path.join(shadow, 'out.txt'), inTmp, inOsTmp]), spec),
      shadow,
    )
    expect(JSON.parse(r.stdout)).toEqual({
      [path.join(shadow, 'out.txt')]: 'ok',
      [inTmp]: 'ok',
      [inOsTmp]: 'ok',
    })
    expect(readFileSync(path.join(shadow, 'out.txt'), 'utf8')).toBe('x')
    // /tmp inside is the private folder, not the host's /tmp.
    expect(existsSync(inTmp)).toBe(false)
    expect(existsSync(path.join(spec.tmpDir, path.basename(inTmp)))).toBe(true)
  })

  it('refuses writes to the project folder, its .git/hooks and a folder outside', async () => {
    const { project, shadow, spec } = layout()
    const home = path.join(os.homedir(), `.fixloop-sandbox-probe-${process.pid}`)
    const usr = `/usr/local/fixloop-probe-${process.pid}`
    // Only there if the sandbox failed; never leave them behind.
    onTestFinished(() => [home, usr].forEach((p) => rmSync(p, { force: true })))
    const targets = [
      path.join(project, 'src.js'),
      path.join(project, '.git/hooks/pre-commit'),
      home,
      usr,
    ]
    const r = await run(hostSandbox.wrap(tryWrites(targets), spec), shadow)
    const seen = JSON.parse(r.stdout) as Record<string, string>
    for (const target of targets)
      expect(DENIED, `${target}: ${seen[target]}`).toContain(seen[target])
    expect(existsSync(path.join(project, '.git/hooks/pre-commit'))).toBe(false)
  })

  it('keeps the .git of a writable folder read-only', async () => {
    const { shadow, spec } = layout()
    mkdirSync(path.join(shadow, '.git/hooks'), { recursive: true })
    const hook = path.join(shadow, '.git/hooks/pre-commit')
    const r = await run(
      hostSandbox.wrap(tryWrites([hook, path.join(shadow, 'a.txt')]), spec),
      shadow,
    )
    const seen = JSON.parse(r.stdout) as Record<string, string>
    expect(DENIED).toContain(seen[hook])
    expect(seen[path.join(shadow, 'a.txt')]).toBe('ok')
  })

  it('leaves every mount read-only except the private ones and the writable paths', async () => {
    const { shadow, spec } = layout()
    const script = `console.log(require('fs').readFileSync('/proc/self/mountinfo', 'utf8'))`
    const r = await run(hostSandbox.wrap(node(script), spec), shadow)
    const mounts = r.stdout
      .trim()
      .split('\n')
      .map((line) => {
        const f = line.split(' ')
        return { target: f[4] as string, options: (f[5] as string).split(',') }
      })
    // The visible mounts: the last one at each target, unless a later one covers it from above.
    const visible = mounts.filter(
      (m, i) =>
        !mounts
          .slice(i + 1)
          .some((later) => later.target === m.target || isUnder(m.target, later.target)),
    )
    const privateOrWritable = ['/dev', '/proc', '/tmp', shadow]
    const rw = visible.filter((m) => !m.options.includes('ro')).map((m) => m.target)
    for (const target of rw)
      expect(
        privateOrWritable.some((p) => target === p || isUnder(target, p)),
        `${target} is writable`,
      ).toBe(true)
    expect(visible.find((m) => m.target === '/')?.options).toContain('ro')
    expect(visible.find((m) => m.target === '/proc/sys')?.options).toContain('ro')
  })

  it('gives the check a private, writable /dev/shm', async () => {
    const { shadow, spec } = layout()
    const name = `/dev/shm/fixloop-probe-${process.pid}`
    const r = await run(hostSandbox.wrap(tryWrites([name]), spec), shadow)
    expect(JSON.parse(r.stdout)).toEqual({ [name]: 'ok' })
    expect(existsSync(name)).toBe(false)
  })

  it('keeps sysctls read-only and drops all capabilities, also when started by root', async () => {
    const { shadow, spec } = layout()
    const script = `
      const fs = require('fs')
      const caps = /CapEff:\\s*(\\S+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]
      // Writes back the value it read, so a broken sandbox changes nothing on the host.
      const file = '/proc/sys/vm/swappiness'
      let sysctl = 'ok'
      try { fs.writeFileSync(file, fs.readFileSync(file)) } catch (e) { sysctl = e.code }
      console.log(JSON.stringify({ caps, sysctl }))`
    const r = await run(hostSandbox.wrap(node(script), spec), shadow)
    const seen = JSON.parse(r.stdout) as { caps: string; sysctl: string }
    expect(/^0+$/.test(seen.caps), `CapEff ${seen.caps}`).toBe(true)
    expect(DENIED).toContain(seen.sysctl)
  })

  it('reaches a writable path under the host /tmp at the same path, though /tmp is replaced', async () => {
    const { shadow, spec } = layout()
    const reports = tempDir('fixloop-report-')
    const report = path.join(reports, 'report.json')
    const r = await run(
      hostSandbox.wrap(tryWrites([report]), { ...spec, writable: [shadow, reports] }),
      shadow,
    )
    expect(JSON.parse(r.stdout)).toEqual({ [report]: 'ok' })
    expect(readFileSync(report, 'utf8')).toBe('x')
  })

  it('creates writable folders that do not exist yet instead of failing to start', async () => {
    const { root, shadow, spec } = layout()
    const cache = path.join(root, 'not/yet/there')
    const r = await run(
      hostSandbox.wrap(tryWrites([path.join(cache, 'c')]), { ...spec, writable: [shadow, cache] }),
      shadow,
    )
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toEqual({ [path.join(cache, 'c')]: 'ok' })
  })

  it('shows readable paths under /tmp read-only, and hides the rest of the host /tmp', async () => {
    const { project, shadow, spec } = layout()
    writeFileSync(path.join(project, 'seen.txt'), 'hello')
    const other = tempDir('fixloop-hidden-')
    const script = `
      const fs = require('fs')
      console.log(JSON.stringify([fs.readFileSync(process.argv[1], 'utf8'), fs.existsSync(process.argv[2])]))`
    const r = await run(
      hostSandbox.wrap(node(script, path.join(project, 'seen.txt'), other), spec),
      shadow,
    )
    expect(JSON.parse(r.stdout)).toEqual(['hello', false])
  })

  it('can connect to a 127.0.0.1 HTTP server started outside', async () => {
    const server = http.createServer((_req, res) => res.end('pong'))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
    const { port } = server.address() as AddressInfo
    const { shadow, spec } = layout()
    const script = `fetch('http://127.0.0.1:${port}/').then((r) => r.text()).then(console.log, (e) => { console.log(String(e.cause ?? e)); process.exit(1) })`
    const r = await run(hostSandbox.wrap(node(script), spec), shadow)
    expect(r.stdout.trim()).toBe('pong')
  })

  it.each(['SIGTERM', 'SIGKILL'] as const)(
    'ends a grandchild that called setsid when the bwrap group gets %s',
    async (signal) => {
      const { shadow, spec } = layout()
      const marker = `fixloop-setsid-${process.pid}-${signal}-${Date.now()}`
      const ready = path.join(shadow, 'ready')
      // detached: true makes the grandchild call setsid(): it leaves the process group.
      const launcher = `
        const { spawn } = require('child_process')
        spawn(process.execPath, ['-e', 'require("fs").writeFileSync(process.argv[1], "1"); setInterval(() => {}, 1000)', process.argv[1], process.argv[2]], { detached: true, stdio: 'ignore' }).unref()
        setInterval(() => {}, 1000)`
      const child = spawnTree(hostSandbox.wrap(node(launcher, ready, marker), spec), {
        cwd: shadow,
        env: process.env,
      })
      const exited = new Promise((resolve) => child.on('exit', resolve))
      onTestFinished(() => {
        for (const pid of pidsWith(marker)) process.kill(pid, 'SIGKILL')
      })
      await waitUntil('the grandchild to start', () => existsSync(ready))
      const pids = pidsWith(marker)
      expect(pids.length).toBe(2) // the launcher and the setsid'd grandchild
      killTree(child.pid as number, signal)
      await exited
      await waitUntil('the grandchild to be gone', () => pids.every((pid) => !exists(pid)))
      for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow(/ESRCH/)
    },
  )

  it('ends what the command left running when the command itself exits', async () => {
    const { shadow, spec } = layout()
    const marker = `fixloop-leftover-${process.pid}-${Date.now()}`
    const ready = path.join(shadow, 'ready')
    const script = `
      const { spawn } = require('child_process')
      spawn(process.execPath, ['-e', 'require("fs").writeFileSync(process.argv[1], String(process.pid)); setInterval(() => {}, 1000)', process.argv[1], process.argv[2]], { detached: true, stdio: 'ignore' }).unref()
      const wait = () => require('fs').existsSync(process.argv[1]) ? process.exit(0) : setTimeout(wait, 10)
      wait()`
    onTestFinished(() => {
      for (const pid of pidsWith(marker)) process.kill(pid, 'SIGKILL')
    })
    const r = await run(hostSandbox.wrap(node(script, ready, marker), spec), shadow)
    expect(r.code).toBe(0)
    await waitUntil('the leftover to be gone', () => pidsWith(marker).length === 0)
  })

  it('passes the exit code through, and reports a death by signal as 128 + the signal', async () => {
    const { shadow, spec } = layout()
    expect((await run(hostSandbox.wrap(node('process.exit(3)'), spec), shadow)).code).toBe(3)
    const killed = await run(
      hostSandbox.wrap(node('process.kill(process.pid, "SIGKILL")'), spec),
      shadow,
    )
    expect(killed).toMatchObject({ code: 128 + 9, signal: null })
  })

  it.skipIf(!findOnPath('npm', process.env.PATH))(
    'runs `npm run <script>` although HOME (and ~/.npm) is read-only',
    async () => {
      const { shadow, spec } = layout()
      writeFileSync(
        path.join(shadow, 'package.json'),
        JSON.stringify({
          name: 'probe',
          version: '1.0.0',
          scripts: { check: `node -e "require('fs').writeFileSync('ran', 'yes')"` },
        }),
      )
      const npm = findOnPath('npm', process.env.PATH) as string
      const r = await run(hostSandbox.wrap([npm, 'run', 'check'], spec), shadow, {
        ...process.env,
        CI: 'true',
      })
      expect(r.code, r.stderr).toBe(0)
      expect(readFileSync(path.join(shadow, 'ran'), 'utf8')).toBe('yes')
    },
  )
})

function isUnder(p: string, dir: string): boolean {
  return p.startsWith(dir === '/' ? '/' : `${dir}/`) && p !== dir
}

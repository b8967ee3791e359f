/**
 * Dashboard bridge benchmark: dispatch throughput, WebSocket command round trips and event fan-out,
 * over the in-memory ControllerPort (so the figures are the bridge's own cost, not the engine's).
 *
 *   node --import tsx bench/dashboard.ts [--quick]
 *
 * Prints a table and one JSON line. Measures; asserts nothing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { WebSocket } from 'ws'
import { dispatchCommand } from '../src/main/core/bridge/dispatch'
import { startDashboardServer } from '../src/main/cli/dashboard/server'
import type { DashboardServer } from '../src/main/cli/dashboard/server'
import { MemoryControllerPort } from '../test/e2e/web/support/memory-port'

const quick = process.argv.includes('--quick')
const N_DISPATCH = quick ? 5_000 : 50_000
const N_ROUNDTRIP = quick ? 500 : 3_000
const N_EVENTS = quick ? 2_000 : 20_000

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0
}

async function benchDispatch(port: MemoryControllerPort) {
  const out: Record<string, number> = {}
  const cases: Array<[string, string, unknown]> = [
    ['dispatch getTask (ok)', 'getTask', { id: 'task_cart_total' }],
    ['dispatch getSnapshot (ok)', 'getSnapshot', {}],
    ['dispatch updateSettings (refused)', 'updateSettings', { patch: { maxRetries: -1 } }],
    ['dispatch unknown command', 'nope', {}],
  ]
  for (const [label, name, args] of cases) {
    const start = performance.now()
    for (let i = 0; i < N_DISPATCH; i++) await dispatchCommand(port, name, args)
    out[label] = Math.round(N_DISPATCH / ((performance.now() - start) / 1000))
  }
  return out
}

function connect(server: DashboardServer): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.listenPort}/ws?token=${server.token}`, {
    origin: server.origin,
  })
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

async function benchRoundTrip(server: DashboardServer) {
  const ws = await connect(server)
  const times: number[] = []
  for (let i = 0; i < N_ROUNDTRIP; i++) {
    const start = performance.now()
    await new Promise<void>((resolve) => {
      ws.once('message', () => resolve())
      ws.send(JSON.stringify({ id: i, command: 'getTask', args: { id: 'task_cart_total' } }))
    })
    times.push(performance.now() - start)
  }
  ws.close()
  times.sort((a, b) => a - b)
  return { p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99) }
}

async function benchFanOut(server: DashboardServer, port: MemoryControllerPort, clients: number) {
  const sockets = await Promise.all(Array.from({ length: clients }, () => connect(server)))
  const done = sockets.map(
    (ws) =>
      new Promise<void>((resolve) => {
        let seen = 0
        ws.on('message', () => {
          if (++seen === N_EVENTS) resolve()
        })
      }),
  )
  const start = performance.now()
  for (let i = 0; i < N_EVENTS; i++)
    port.addLog('info', `bench line ${i} in src/module-${i % 97}.ts`)
  await Promise.all(done)
  const ms = performance.now() - start
  for (const ws of sockets) ws.close()
  return Math.round(N_EVENTS / (ms / 1000))
}

async function main() {
  const root = mkdtempSync(join(tmpdir(), 'fixloop-bench-dash-'))
  const rendererDir = join(root, 'renderer')
  mkdirSync(rendererDir)
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>bench</title>')
  const port = new MemoryControllerPort()
  const server = await startDashboardServer({ port, rendererDir })
  try {
    const dispatch = await benchDispatch(port)
    const roundTrip = await benchRoundTrip(server)
    const fanOut1 = await benchFanOut(server, port, 1)
    const fanOut5 = await benchFanOut(server, port, 5)
    const rows: Array<[string, string]> = [
      ...Object.entries(dispatch).map(([k, v]): [string, string] => [
        k,
        `${v.toLocaleString()} /s`,
      ]),
      ['WS getTask round trip p50', `${roundTrip.p50.toFixed(3)} ms`],
      ['WS getTask round trip p95', `${roundTrip.p95.toFixed(3)} ms`],
      ['WS getTask round trip p99', `${roundTrip.p99.toFixed(3)} ms`],
      ['log events to 1 client', `${fanOut1.toLocaleString()} /s`],
      ['log events to 5 clients (each)', `${fanOut5.toLocaleString()} /s`],
    ]
    const width = Math.max(...rows.map(([k]) => k.length))
    console.log(`Dashboard bridge (${quick ? 'quick' : 'default'} run, Node ${process.version})`)
    for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`)
    console.log(
      JSON.stringify({
        bench: 'dashboard',
        quick,
        dispatchPerSec: dispatch,
        wsRoundTripMs: roundTrip,
        eventsPerSec: { oneClient: fanOut1, fiveClients: fanOut5 },
        n: { dispatch: N_DISPATCH, roundTrip: N_ROUNDTRIP, events: N_EVENTS },
      }),
    )
  } finally {
    await server.close()
    rmSync(root, { recursive: true, force: true })
  }
}

await main()

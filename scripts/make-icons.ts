/**
 * Draws Fixloop's icons and writes them as PNG files, with nothing but Node's zlib:
 *
 * - `build/icon.png` (1024 px; electron-builder derives the Windows .ico and macOS .icns from it)
 * - `build/icons/<n>x<n>.png` (the Linux icon set)
 * - `resources/icon.png` (256 px, packaged: window and notification icon)
 * - `resources/tray/tray-<state>.png` and `@2x` (colour tray icons for Windows and Linux)
 * - `resources/tray/tray-<state>Template.png` and `@2x` (macOS template images: black plus alpha)
 *
 * Run: `node --import tsx scripts/make-icons.ts [outRoot]` (default: the package root). The output is
 * committed; test/packaging/icons.test.ts checks that it matches what this script draws.
 *
 * Shapes are signed distance functions in a unit square, so every size is drawn from the same
 * geometry and edges are anti-aliased by coverage (one sample per pixel, no supersampling needed).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deflateSync } from 'node:zlib'

export const TRAY_STATES = ['idle', 'checking', 'fixing', 'paused', 'error'] as const
export type TrayState = (typeof TRAY_STATES)[number]

/** Sizes of the Linux icon set (electron-builder picks them up from `build/icons`). */
export const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512] as const
/** The master icon: at least 512 px for the .icns, 1024 px as electron-builder recommends. */
export const MASTER_SIZE = 1024
/** Tray icons: 16 px at 1x, 32 px at @2x (Electron picks @2x on high-DPI screens). */
export const TRAY_SIZE = 16

/** Colours of the tray states (GitHub Primer palette: readable on light and dark panels). */
export const STATE_COLOURS: Record<TrayState, readonly [number, number, number]> = {
  idle: [0x2e, 0xa0, 0x43],
  checking: [0x21, 0x88, 0xff],
  fixing: [0xd2, 0x99, 0x22],
  paused: [0x8b, 0x94, 0x9e],
  error: [0xe5, 0x53, 0x4b],
}

// ── PNG ────────────────────────────────────────────────────────────────────────────────────────

/** An RGBA image, 8 bits per channel, rows top to bottom. */
export interface Image {
  width: number
  height: number
  data: Uint8Array
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(body.length, 0)
  head.write(type, 4, 'latin1')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0)
  return Buffer.concat([head, body, crc])
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/** Encodes RGBA pixels as a PNG (colour type 6, no interlace, filter 0 on every row). */
export function encodePng(image: Image): Buffer {
  const { width, height, data } = image
  if (data.length !== width * height * 4) throw new Error('encodePng: data is not width*height*4')
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 6 // RGBA
  const raw = Buffer.alloc(height * (width * 4 + 1))
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0
    raw.set(data.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1)
  }
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

// ── geometry (signed distances in the unit square; negative inside) ───────────────────────────

type Vec = readonly [number, number]
type Sdf = (x: number, y: number) => number

const circle =
  (cx: number, cy: number, r: number): Sdf =>
  (x, y) =>
    Math.hypot(x - cx, y - cy) - r

/** A segment with round caps of radius r. */
const capsule =
  (a: Vec, b: Vec, r: number): Sdf =>
  (x, y) => {
    const [ax, ay] = a
    const bax = b[0] - ax
    const bay = b[1] - ay
    const h = Math.max(0, Math.min(1, ((x - ax) * bax + (y - ay) * bay) / (bax * bax + bay * bay)))
    return Math.hypot(x - ax - bax * h, y - ay - bay * h) - r
  }

/** A closed polygon (any winding), exact distance. */
const polygon =
  (points: readonly Vec[]): Sdf =>
  (x, y) => {
    let d = Infinity
    let inside = false
    for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
      const [xi, yi] = points[i] as Vec
      const [xj, yj] = points[j] as Vec
      d = Math.min(d, capsule([xj, yj], [xi, yi], 0)(x, y))
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside
    }
    return inside ? -d : d
  }

const roundedSquare =
  (inset: number, radius: number): Sdf =>
  (x, y) => {
    const half = 0.5 - inset - radius
    const qx = Math.abs(x - 0.5) - half
    const qy = Math.abs(y - 0.5) - half
    return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius
  }

const union =
  (...shapes: Sdf[]): Sdf =>
  (x, y) =>
    Math.min(...shapes.map((s) => s(x, y)))

/**
 * The loop: a ring open at the top right, ending in an arrowhead that points clockwise. Angles are
 * measured clockwise from 12 o'clock (screen y grows downwards).
 */
function loop(cx: number, cy: number, r: number, thickness: number): Sdf {
  const gapFrom = 42 // degrees: the arc runs from here round to 360 - arrow length
  const arcTo = 320
  const at = (deg: number): Vec => {
    const a = (deg * Math.PI) / 180
    return [cx + r * Math.sin(a), cy - r * Math.cos(a)]
  }
  const arc: Sdf = (x, y) => {
    let deg = (Math.atan2(x - cx, -(y - cy)) * 180) / Math.PI
    if (deg < 0) deg += 360
    if (deg >= gapFrom && deg <= arcTo)
      return Math.abs(Math.hypot(x - cx, y - cy) - r) - thickness / 2
    const [ax, ay] = at(gapFrom)
    const [bx, by] = at(arcTo)
    return Math.min(Math.hypot(x - ax, y - ay), Math.hypot(x - bx, y - by)) - thickness / 2
  }
  // The arrowhead sits on the arc's end and points along the tangent (clockwise).
  const tip = at(arcTo + 32)
  const [ex, ey] = at(arcTo)
  const nx = (ex - cx) / r
  const ny = (ey - cy) / r
  const w = thickness * 1.3
  const head = polygon([[ex + nx * w, ey + ny * w], [ex - nx * w, ey - ny * w], tip])
  return union(arc, head)
}

/** The glyph in the middle of the loop that tells the states apart, also in monochrome. */
function glyph(state: TrayState, s: number): Sdf {
  const c = 0.5
  switch (state) {
    case 'idle':
      return union(
        capsule([c - 0.15 * s, c + 0.01 * s], [c - 0.04 * s, c + 0.12 * s], 0.055 * s),
        capsule([c - 0.04 * s, c + 0.12 * s], [c + 0.16 * s, c - 0.1 * s], 0.055 * s),
      )
    case 'checking':
      return circle(c, c, 0.11 * s)
    case 'fixing':
      // A lightning bolt: work in progress.
      return polygon([
        [c + 0.05 * s, c - 0.2 * s],
        [c - 0.13 * s, c + 0.03 * s],
        [c - 0.01 * s, c + 0.03 * s],
        [c - 0.05 * s, c + 0.2 * s],
        [c + 0.13 * s, c - 0.03 * s],
        [c + 0.01 * s, c - 0.03 * s],
      ])
    case 'paused':
      return union(
        capsule([c - 0.07 * s, c - 0.12 * s], [c - 0.07 * s, c + 0.12 * s], 0.045 * s),
        capsule([c + 0.07 * s, c - 0.12 * s], [c + 0.07 * s, c + 0.12 * s], 0.045 * s),
      )
    case 'error':
      return union(
        capsule([c, c - 0.14 * s], [c, c + 0.04 * s], 0.05 * s),
        circle(c, c + 0.15 * s, 0.055 * s),
      )
  }
}

// ── rasterising ────────────────────────────────────────────────────────────────────────────────

type Paint = (x: number, y: number) => readonly [number, number, number]

interface Layer {
  shape: Sdf
  paint: Paint
}

/** Coverage of a pixel by a shape, from its distance (in pixels) to the edge. */
function coverage(distance: number, pixel: number): number {
  return Math.max(0, Math.min(1, 0.5 - distance / pixel))
}

/** Composites layers (source-over, bottom first) at one size, sampling at pixel centres. */
export function rasterise(size: number, layers: readonly Layer[]): Image {
  const data = new Uint8Array(size * size * 4)
  const pixel = 1 / size
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const x = (px + 0.5) / size
      const y = (py + 0.5) / size
      let r = 0
      let g = 0
      let b = 0
      let a = 0
      for (const layer of layers) {
        const alpha = coverage(layer.shape(x, y), pixel)
        if (alpha === 0) continue
        const [lr, lg, lb] = layer.paint(x, y)
        const outA = alpha + a * (1 - alpha)
        r = (lr * alpha + r * a * (1 - alpha)) / outA
        g = (lg * alpha + g * a * (1 - alpha)) / outA
        b = (lb * alpha + b * a * (1 - alpha)) / outA
        a = outA
      }
      const i = (py * size + px) * 4
      data[i] = Math.round(r)
      data[i + 1] = Math.round(g)
      data[i + 2] = Math.round(b)
      data[i + 3] = Math.round(a * 255)
    }
  }
  return { width: size, height: size, data }
}

const solid =
  (rgb: readonly [number, number, number]): Paint =>
  () =>
    rgb

/** The application icon: the white loop and tick on a blue-green rounded square. */
export function drawAppIcon(size: number): Image {
  const background: Paint = (x, y) => {
    const t = Math.max(0, Math.min(1, (x + y) / 2))
    return [
      Math.round(0x1f + (0x0b - 0x1f) * t),
      Math.round(0x9e + (0x5c - 0x9e) * t),
      Math.round(0x8a + (0xd6 - 0x8a) * t),
    ]
  }
  return rasterise(size, [
    { shape: roundedSquare(0.04, 0.2), paint: background },
    {
      shape: union(loop(0.5, 0.5, 0.27, 0.075), glyph('idle', 1.05)),
      paint: solid([255, 255, 255]),
    },
  ])
}

/** A tray icon: the loop and the state's glyph, in the state's colour or (template) in black. */
export function drawTrayIcon(state: TrayState, size: number, template: boolean): Image {
  const shape = union(loop(0.5, 0.5, 0.37, 0.12), glyph(state, 1.3))
  return rasterise(size, [{ shape, paint: solid(template ? [0, 0, 0] : STATE_COLOURS[state]) }])
}

// ── files ──────────────────────────────────────────────────────────────────────────────────────

/** Every icon file, relative to the package root, with the image it holds. */
export function iconFiles(): { path: string; draw: () => Image }[] {
  const files: { path: string; draw: () => Image }[] = [
    { path: 'build/icon.png', draw: () => drawAppIcon(MASTER_SIZE) },
    ...LINUX_SIZES.map((n) => ({ path: `build/icons/${n}x${n}.png`, draw: () => drawAppIcon(n) })),
    // Packaged with the app: the window icon on Linux and Windows, and the notifications' icon.
    { path: 'resources/icon.png', draw: () => drawAppIcon(256) },
  ]
  for (const state of TRAY_STATES) {
    for (const template of [false, true]) {
      const base = `resources/tray/tray-${state}${template ? 'Template' : ''}`
      files.push({ path: `${base}.png`, draw: () => drawTrayIcon(state, TRAY_SIZE, template) })
      files.push({
        path: `${base}@2x.png`,
        draw: () => drawTrayIcon(state, TRAY_SIZE * 2, template),
      })
    }
  }
  return files
}

export function writeIcons(outRoot: string): string[] {
  const written: string[] = []
  for (const file of iconFiles()) {
    const target = join(outRoot, file.path)
    mkdirSync(join(target, '..'), { recursive: true })
    writeFileSync(target, encodePng(file.draw()))
    written.push(file.path)
  }
  return written
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(fileURLToPath(import.meta.url), '..', '..'))
  const written = writeIcons(root)
  process.stdout.write(`Wrote ${written.length} icons under ${root}\n`)
}

/**
 * The committed icons are valid PNGs of the right sizes, match what scripts/make-icons.ts draws, and
 * tell the tray states apart (also as macOS template images, which are black plus alpha).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { inflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import {
  LINUX_SIZES,
  MASTER_SIZE,
  PNG_SIGNATURE,
  TRAY_STATES,
  crc32,
  encodePng,
  iconFiles,
} from '../../scripts/make-icons'
import type { Image } from '../../scripts/make-icons'

const root = join(import.meta.dirname, '..', '..')

/** Decodes the PNGs the script writes (RGBA, 8 bit, no interlace), checking every chunk's CRC. */
function decodePng(bytes: Buffer): Image {
  expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true)
  let offset = 8
  let width = 0
  let height = 0
  const idat: Buffer[] = []
  let ended = false
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset)
    const type = bytes.toString('latin1', offset + 4, offset + 8)
    const body = bytes.subarray(offset + 8, offset + 8 + length)
    expect(bytes.readUInt32BE(offset + 8 + length)).toBe(
      crc32(bytes.subarray(offset + 4, offset + 8 + length)),
    )
    if (type === 'IHDR') {
      width = body.readUInt32BE(0)
      height = body.readUInt32BE(4)
      expect([...body.subarray(8, 13)]).toEqual([8, 6, 0, 0, 0])
    } else if (type === 'IDAT') idat.push(body)
    else if (type === 'IEND') ended = true
    offset += length + 12
  }
  expect(ended).toBe(true)
  const raw = inflateSync(Buffer.concat(idat))
  const data = new Uint8Array(width * height * 4)
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width * 4 + 1)]).toBe(0)
    data.set(raw.subarray(y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1)), y * width * 4)
  }
  return { width, height, data }
}

const read = (path: string) => decodePng(readFileSync(join(root, path)))

describe('the generated icons', () => {
  it('round-trip through the encoder', () => {
    const image: Image = {
      width: 2,
      height: 1,
      data: new Uint8Array([255, 0, 0, 255, 0, 0, 255, 128]),
    }
    expect(decodePng(encodePng(image))).toEqual(image)
  })

  it('are committed exactly as the script draws them', () => {
    for (const file of iconFiles()) {
      const committed = read(file.path)
      const drawn = file.draw()
      expect({ path: file.path, size: committed.width }).toEqual({
        path: file.path,
        size: drawn.width,
      })
      // Within one level per channel, in case another CPU rounds a sine differently.
      let worst = 0
      for (let i = 0; i < drawn.data.length; i++)
        worst = Math.max(worst, Math.abs((committed.data[i] ?? -9) - (drawn.data[i] as number)))
      expect(worst, file.path).toBeLessThanOrEqual(1)
    }
  })

  it('give electron-builder a master icon big enough for .ico and .icns, and the Linux set', () => {
    expect(read('build/icon.png').width).toBe(MASTER_SIZE)
    expect(MASTER_SIZE).toBeGreaterThanOrEqual(512)
    for (const n of LINUX_SIZES)
      expect(read(`build/icons/${n}x${n}.png`)).toMatchObject({ width: n, height: n })
  })

  it('have a colour icon and a template image per tray state, at 1x and 2x', () => {
    for (const state of TRAY_STATES) {
      expect(read(`resources/tray/tray-${state}.png`).width).toBe(16)
      expect(read(`resources/tray/tray-${state}@2x.png`).width).toBe(32)
      const template = read(`resources/tray/tray-${state}Template@2x.png`)
      for (let i = 0; i < template.data.length; i += 4) {
        expect([template.data[i], template.data[i + 1], template.data[i + 2]]).toEqual([0, 0, 0])
      }
    }
  })

  it('tell every state apart by shape, not only by colour', () => {
    const alphas = TRAY_STATES.map((s) => {
      const img = read(`resources/tray/tray-${s}Template@2x.png`)
      return Buffer.from(img.data.filter((_, i) => i % 4 === 3))
    })
    for (let a = 0; a < alphas.length; a++)
      for (let b = a + 1; b < alphas.length; b++) expect(alphas[a]!.equals(alphas[b]!)).toBe(false)
  })
})

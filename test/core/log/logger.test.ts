import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Logger } from '../../../src/main/core/log/logger'
import { createRotatingFileSink } from '../../../src/main/core/log/rotating-file'

describe('Logger', () => {
  it('numbers entries, keeps a bounded ring and filters by level and task', () => {
    const log = new Logger({ capacity: 3 })
    log.debug('a')
    log.info('b', { taskId: 'task_1' })
    log.warn('c')
    log.error('d', { taskId: 'task_1' })
    expect(log.entries().map((e) => e.message)).toEqual(['b', 'c', 'd'])
    expect(log.entries({ level: 'warn' }).map((e) => e.seq)).toEqual([3, 4])
    expect(log.entries({ taskId: 'task_1' }).map((e) => e.message)).toEqual(['b', 'd'])
    expect(log.entries({ afterSeq: 3 }).map((e) => e.message)).toEqual(['d'])
    expect(log.entries({ limit: 1 }).map((e) => e.message)).toEqual(['d'])
  })

  it('redacts before storing or notifying', () => {
    const seen: string[] = []
    const log = new Logger({ redact: (t) => t.replaceAll('sk-ant-secret', '[redacted]') })
    log.subscribe((e) => seen.push(e.message))
    log.info('key is sk-ant-secret')
    expect(log.entries()[0]?.message).toBe('key is [redacted]')
    expect(seen).toEqual(['key is [redacted]'])
  })

  it('survives a listener that throws', () => {
    const log = new Logger()
    log.subscribe(() => {
      throw new Error('boom')
    })
    expect(() => log.info('x')).not.toThrow()
  })
})

describe('rotating file sink', () => {
  it('rotates by size and keeps N generations', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fixloop-log-'))
    try {
      const log = new Logger()
      log.subscribe(createRotatingFileSink({ dir, maxBytes: 200, keep: 2 }))
      for (let i = 0; i < 30; i++) log.info(`line ${i} ${'x'.repeat(20)}`)
      expect(readdirSync(dir).sort()).toEqual(['fixloop.log', 'fixloop.log.1', 'fixloop.log.2'])
      expect(readFileSync(join(dir, 'fixloop.log'), 'utf8')).toContain('line 29')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

import { describe, expect, it } from 'vitest'
import { describeStateEvent } from '../../../src/main/core/engine/state-event-messages'

describe('describeStateEvent', () => {
  it('tells the user where a corrupt state file went', () => {
    const said = describeStateEvent('corrupt', {
      file: '/p/.fixloop/state.json',
      movedTo: '/p/.fixloop/state.json.corrupt-2026',
      reason: 'not JSON',
    })
    expect(said?.level).toBe('error')
    expect(said?.message).toContain('/p/.fixloop/state.json.corrupt-2026')
    expect(said?.notice?.title).toBe('State file was corrupt')
  })

  it('raises a notice when the lock is lost, and stays quiet about routine writes', () => {
    expect(
      describeStateEvent('compromised', {
        reason: 'ECOMPROMISED',
        message: 'lost it',
        reloaded: true,
      })?.notice,
    ).toEqual({ title: 'State lock lost', body: 'lost it' })
    expect(describeStateEvent('written', { generation: 1, bytes: 10, durationMs: 1 })).toBeNull()
  })
})

/**
 * The fix-rate bench's fixtures must stay true: each project green as stored, red with its bug, and
 * green again after its transcript's edits (the bench's own --check, run here so a broken fixture
 * fails the tests rather than a later benchmark).
 */
import { expect, it } from 'vitest'
import { checkFixture } from '../../bench/fixrate-check'
import { loadFixtures } from '../../bench/fixrate-fixtures'

const fixtures = loadFixtures()

it('has fixtures', () => {
  expect(fixtures.length).toBeGreaterThanOrEqual(5)
})

for (const fixture of fixtures) {
  it(`${fixture.name}: green as stored, red with the bug, green after the transcript`, () => {
    const report = checkFixture(fixture)
    expect(report.line).toBeTruthy()
    expect(report.ok, report.line).toBe(true)
  }, 60_000)
}

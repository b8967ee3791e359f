/**
 * The demo's sample project: a shopping-cart total with node's own test runner. The "change" the demo
 * saves forgets the quantity, which the tests catch.
 */
export const SAMPLE_FILES: Record<string, string> = {
  'package.json': `${JSON.stringify(
    { name: 'fixloop-demo-shop', private: true, type: 'module', scripts: { test: 'node --test' } },
    null,
    2,
  )}\n`,
  'src/cart.js': `/** The total of a cart, with an optional percentage discount, rounded to cents. */
export function cartTotal(items, discountPercent = 0) {
  const subtotal = items.reduce((sum, item) => sum + item.price * item.quantity, 0)
  return Math.round(subtotal * (1 - discountPercent / 100) * 100) / 100
}
`,
  'test/cart.test.js': `import { test } from 'node:test'
import assert from 'node:assert/strict'
import { cartTotal } from '../src/cart.js'

const items = [
  { name: 'coffee', price: 4.5, quantity: 2 },
  { name: 'bagel', price: 2.25, quantity: 1 },
]

test('sums price times quantity', () => {
  assert.equal(cartTotal(items), 11.25)
})

test('applies a discount', () => {
  assert.equal(cartTotal(items, 20), 9)
})

test('an empty cart costs nothing', () => {
  assert.equal(cartTotal([]), 0)
})
`,
}

/** The edit a developer "saves" during the demo: quantity forgotten. */
export const BROKEN_LINE = '  const subtotal = items.reduce((sum, item) => sum + item.price, 0)'
export const GOOD_LINE =
  '  const subtotal = items.reduce((sum, item) => sum + item.price * item.quantity, 0)'

/**
 * Checks on the fields of Claude's tool input. A failed check is a `Refusal`, which the editor turns
 * into an error result with the message as written here, so each one says exactly what was wrong.
 */

/** Thrown inside the editor for a refused or malformed call; turned into an error result. */
export class Refusal extends Error {}

export const MAX_PATH_CHARS = 4096

export function requireString(
  value: unknown,
  field: string,
  maxBytes = MAX_PATH_CHARS * 4,
): string {
  if (value === undefined || value === null) throw new Refusal(`${field} is missing.`)
  if (typeof value !== 'string')
    throw new Refusal(`${field} must be a string, got ${describe(value)}.`)
  checkSize(value, field, maxBytes)
  return value
}

export function optionalString(
  value: unknown,
  field: string,
  maxBytes: number,
): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string')
    throw new Refusal(`${field} must be a string, got ${describe(value)}.`)
  checkSize(value, field, maxBytes)
  return value
}

function checkSize(value: string, field: string, maxBytes: number) {
  // Cheap bound first: a string of n UTF-16 units is at most 3n bytes of UTF-8.
  if (value.length * 3 > maxBytes && Buffer.byteLength(value) > maxBytes) {
    throw new Refusal(
      `${field} is ${formatBytes(Buffer.byteLength(value))}, over the limit of ${formatBytes(maxBytes)}; refused.`,
    )
  }
}

export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`
  if (typeof value === 'number' || typeof value === 'boolean')
    return `${typeof value} ${String(value)}`
  return typeof value === 'object' ? 'an object' : typeof value
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n % 1024 === 0 ? 0 : 1)} KiB`
  return `${(n / 1024 / 1024).toFixed(1)} MiB`
}

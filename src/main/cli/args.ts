import { parseArgs } from 'node:util'
import type { ParseArgsConfig } from 'node:util'

/** A command line that cannot be used; the CLI prints it with the command's help and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** node's parseArgs, with its errors turned into UsageErrors. */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
): {
  values: ReturnType<typeof parseArgs<{ options: T; allowPositionals: true }>>['values']
  positionals: string[]
} {
  try {
    const r = parseArgs({ args, options, allowPositionals: true, strict: true })
    return { values: r.values, positionals: r.positionals }
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

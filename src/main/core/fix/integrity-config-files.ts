/**
 * Which runner and checker settings changed in the files that hold them among other things:
 * package.json (scripts, jest, vitest…) and pyproject.toml (`[tool.pytest]`…).
 */
import { REVIEWED_PACKAGE_KEYS } from './protected-paths'
/** package.json keys that configure a runner or a check. */
const PACKAGE_KEYS = ['scripts', 'jest', 'mocha', 'ava', 'c8', 'nyc', 'eslintConfig', 'vitest']
/** pyproject.toml sections that configure a runner or a check. */
const PYPROJECT_SECTION = /^\[tool\.(pytest|coverage|mypy|ruff|pyright)\b[^\]]*\]/

export function changedPackageKeys(before: string | null, after: string | null): string[] {
  const a = parseObject(before)
  const b = parseObject(after)
  if (a === undefined || b === undefined) return ['its content (it does not parse as JSON)']
  return PACKAGE_KEYS.filter((k) => stableJson(a?.[k]) !== stableJson(b?.[k])).map((k) => `"${k}"`)
}

/**
 * The package.json keys whose change must be reviewed (what installs or runs: dependencies, bin,
 * git-hook packages…; see REVIEWED_PACKAGE_KEYS), beyond the runner keys above, with why.
 */
export function changedReviewedKeys(
  before: string | null,
  after: string | null,
): Array<[key: string, why: string]> {
  const a = parseObject(before)
  const b = parseObject(after)
  if (a === undefined || b === undefined) return []
  return [...REVIEWED_PACKAGE_KEYS].filter(
    ([k]) => !PACKAGE_KEYS.includes(k) && stableJson(a?.[k]) !== stableJson(b?.[k]),
  )
}

function parseObject(text: string | null): Record<string, unknown> | null | undefined {
  if (text === null) return null
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

function stableJson(value: unknown): string {
  if (value === undefined) return 'undefined'
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : 1)),
        )
      : v,
  )
}

export function changedPyprojectSections(before: string, after: string): string[] {
  const a = pyprojectSections(before)
  const b = pyprojectSections(after)
  const names = new Set([...a.keys(), ...b.keys()])
  return [...names].filter((n) => a.get(n) !== b.get(n))
}

function pyprojectSections(text: string): Map<string, string> {
  const out = new Map<string, string>()
  let current: string | null = null
  for (const line of text.split('\n')) {
    if (/^\s*\[/.test(line)) current = PYPROJECT_SECTION.test(line.trim()) ? line.trim() : null
    if (current) out.set(current, (out.get(current) ?? '') + line.trimEnd() + '\n')
  }
  return out
}

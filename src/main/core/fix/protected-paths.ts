/**
 * Paths the fixer may neither read nor write, whatever Claude asks: version control internals, CI
 * workflows (they run with repository secrets), lockfiles (a "fix" there changes what gets installed),
 * Fixloop's own state, installed dependencies, environment files (secrets) and Fixloop's config.
 */
import { lstatSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

/** Directory names refused at any depth. */
const PROTECTED_DIRS = new Map<string, string>([
  ['.git', 'git internals'],
  ['.circleci', 'CI configuration runs with repository secrets'],
  ['.buildkite', 'CI configuration runs with repository secrets'],
  ['.hg', 'version control internals'],
  ['.svn', 'version control internals'],
  ['.fixloop', "Fixloop's own state"],
  ['node_modules', 'installed dependencies'],
])

/** Lockfiles of the package managers we know, refused at any depth. */
export const LOCKFILES: readonly string[] = [
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lockb',
  'bun.lock',
  'deno.lock',
  'Cargo.lock',
  'poetry.lock',
  'Pipfile.lock',
  'pdm.lock',
  'uv.lock',
  'Gemfile.lock',
  'composer.lock',
  'go.sum',
  'go.work.sum',
  'flake.lock',
  'mix.lock',
  'pubspec.lock',
  'Podfile.lock',
  'packages.lock.json',
  'gradle.lockfile',
  'Package.resolved',
]
const LOCKFILE_EXACT = new Set(LOCKFILES)
const LOCKFILE_FOLDED = new Set(LOCKFILES.map((n) => n.toLowerCase()))

/** CI definitions outside `.github/workflows` that also run with the repository's secrets. */
const CI_FILES = new Set([
  '.gitlab-ci.yml',
  '.travis.yml',
  'azure-pipelines.yml',
  'bitbucket-pipelines.yml',
  'Jenkinsfile',
  'jenkinsfile',
])
/** Files that commonly hold registry tokens or passwords. */
const CREDENTIAL_FILES = new Set([
  '.npmrc',
  '.yarnrc',
  '.yarnrc.yml',
  '.pypirc',
  '.netrc',
  '.pgpass',
])
/** Private keys and certificates: never sent to an API, never edited. */
const KEY_FILE = /\.(pem|key|p12|pfx|jks|keystore)$|^id_(rsa|dsa|ecdsa|ed25519)(\.pub)?$/i

export interface ProtectionOptions {
  /** Compare names ignoring case, as a case-insensitive file system would. @default false */
  caseInsensitive?: boolean
}

/**
 * Why a project-relative path (forward slashes) is protected, or null when the fixer may touch it.
 * The path itself and every directory above it are checked, so `.git/config` and `a/.git/HEAD` are both
 * refused.
 */
export function protectedReason(
  relativePath: string,
  options: ProtectionOptions = {},
): string | null {
  const parts = relativePath.split('/').filter((p) => p !== '' && p !== '.')
  // On a case-sensitive file system `.GIT` is a different, harmless directory, so names are folded
  // only where the file system would fold them too.
  const fold = (s: string) => (options.caseInsensitive ? s.toLowerCase() : s)
  for (let i = 0; i < parts.length; i++) {
    const name = fold(parts[i]!)
    const dir = PROTECTED_DIRS.get(name)
    if (dir) return `${parts.slice(0, i + 1).join('/')} is protected (${dir})`
    if (name === '.github' && i + 1 < parts.length && fold(parts[i + 1]!) === 'workflows') {
      return `${parts.slice(0, i + 2).join('/')} is protected (CI workflows run with repository secrets)`
    }
  }
  const last = parts.at(-1)
  if (last === undefined) return null
  const isLockfile = options.caseInsensitive
    ? LOCKFILE_FOLDED.has(last.toLowerCase())
    : LOCKFILE_EXACT.has(last)
  if (isLockfile) {
    return `${relativePath} is protected (lockfile: change dependencies through the package manager)`
  }
  const name = fold(last)
  if (name.startsWith('.env'))
    return `${relativePath} is protected (environment file, may hold secrets)`
  if (CI_FILES.has(name.toLowerCase()) && (options.caseInsensitive || CI_FILES.has(name))) {
    return `${relativePath} is protected (CI configuration runs with repository secrets)`
  }
  // Secrets are refused in any spelling: sending one to an API is worse than a needless refusal.
  if (CREDENTIAL_FILES.has(last.toLowerCase()) || KEY_FILE.test(last)) {
    return `${relativePath} is protected (credentials or key material)`
  }
  if (name === 'fixloop.config.json')
    return `${relativePath} is protected (Fixloop's configuration)`
  return null
}

/** Directory names a directory listing skips because nobody should be editing inside them. */
export const LISTING_SKIPPED_DIRS: ReadonlySet<string> = new Set([
  ...PROTECTED_DIRS.keys(),
  'dist',
  'out',
  'build',
  'coverage',
  '.next',
  '.nuxt',
  '.svelte-kit',
  '.turbo',
  '.cache',
  '.venv',
  'venv',
  '__pycache__',
  '.pytest_cache',
  '.mypy_cache',
  'target',
])

/**
 * Whether the file system holding `dir` ignores case, found by looking the directory up under its
 * own name with the case flipped. Falls back to the platform's usual answer when the name has no
 * letters to flip.
 */
export function isCaseInsensitiveFs(dir: string): boolean {
  let probe = dir
  // Walk up to the nearest component with a letter in it.
  while (!/[a-z]/i.test(basename(probe)) && dirname(probe) !== probe) probe = dirname(probe)
  const name = basename(probe)
  if (!/[a-z]/i.test(name)) return process.platform === 'darwin' || process.platform === 'win32'
  const flipped = [...name].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()))
  try {
    const a = lstatSync(probe)
    const b = lstatSync(join(dirname(probe), flipped.join('')))
    return a.ino === b.ino && a.dev === b.dev
  } catch {
    return false
  }
}

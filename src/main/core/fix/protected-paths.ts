/**
 * What the fixer may not touch, and what a fix may touch only with a person's approval: one list,
 * each entry with its reason.
 *
 * Refused (`protectedReason`, applied by the editor, the search tool and apply): files whose code
 * runs on its own, outside the checks' sandbox and without anyone choosing to run it — git hooks on
 * commit, the editor on folder open, direnv on `cd`, package-manager hooks on install, CI with the
 * repository's secrets — and files that are never a fix's business: version control internals,
 * lockfiles, Fixloop's own state, installed dependencies, secrets and keys.
 *
 * Reviewed (`reviewReason`, `REVIEWED_PACKAGE_KEYS`, read by the integrity check): build files.
 * Their code runs only when someone builds, and a fix may have good cause to change one, so the fix
 * is held for approval rather than refused.
 */
import { lstatSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

const CI = 'CI configuration runs with repository secrets'
const GIT_HOOKS = 'git hooks run on commit and push, outside any sandbox'
const EDITOR = 'editor configuration runs commands'

/**
 * Directory names refused at any depth (the name itself too, so a `.git` file is refused).
 */
const PROTECTED_DIRS = new Map<string, string>([
  // Hooks (.git/hooks), and config that names commands: core.hooksPath, core.fsmonitor, filters.
  ['.git', 'git internals'],
  ['.hg', 'version control internals'],
  ['.svn', 'version control internals'],
  ['.fixloop', "Fixloop's own state"],
  ['node_modules', 'installed dependencies'],
  ['.circleci', CI],
  ['.buildkite', CI],
  ['.semaphore', CI],
  ['.woodpecker', CI],
  // husky points core.hooksPath at .husky/_, which runs .husky/<hook>.
  ['.husky', GIT_HOOKS],
  // The usual targets of `git config core.hooksPath`.
  ['.githooks', GIT_HOOKS],
  ['.git-hooks', GIT_HOOKS],
  // lefthook's `source_dir` and `source_dir_local` scripts.
  ['.lefthook', GIT_HOOKS],
  ['.lefthook-local', GIT_HOOKS],
  // tasks.json `runOptions.runOn: "folderOpen"` runs on open; settings.json names programs that
  // extensions start (interpreters, linters, terminal env); launch.json runs on F5.
  ['.vscode', `${EDITOR}: tasks run on folder open, settings name programs to start`],
  // Run configurations with before-launch steps, File Watchers (watcherTasks.xml) run on save.
  ['.idea', `${EDITOR}: run configurations and file watchers`],
  ['.fleet', `${EDITOR}: run configurations`],
  ['.zed', `${EDITOR}: tasks and language servers`],
  // initializeCommand runs on the host, postCreateCommand in the container (Codespaces: with secrets).
  ['.devcontainer', 'dev container configuration runs commands when the container is built'],
  // .yarn/releases is run as Yarn itself (yarnPath), .yarn/plugins load on every yarn command.
  ['.yarn', 'Yarn runs its release and plugins from here on every command'],
  // maven-wrapper.properties names the Maven that mvnw downloads and runs; extensions.xml loads code.
  ['.mvn', 'Maven wrapper and build extensions run on every build'],
  // mise's [hooks] and `[env] _.source` run shell code on `cd`.
  ['.mise', 'mise runs its hooks and env scripts on entering the folder'],
])

/** Two-level directories (`parent/child`) refused at any depth. */
const PROTECTED_SUBDIRS = new Map<string, string>([
  ['.github/workflows', 'CI workflows run with repository secrets'],
  // Composite and JavaScript actions that workflows use (`uses: ./.github/actions/x`).
  ['.github/actions', 'GitHub Actions run in CI with repository secrets'],
  ['.gitea/workflows', 'CI workflows run with repository secrets'],
  ['.forgejo/workflows', 'CI workflows run with repository secrets'],
  // gradle-wrapper.properties names the Gradle that ./gradlew downloads and runs.
  ['gradle/wrapper', 'the Gradle wrapper downloads and runs the build tool'],
  ['.config/mise', 'mise runs its hooks and env scripts on entering the folder'],
  ['.config/husky', GIT_HOOKS],
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
const LOCKFILE_REASON = 'lockfile: change dependencies through the package manager'

/** File names refused at any depth, as spelt here (folded on a case-insensitive file system). */
const PROTECTED_FILES = new Map<string, string>([
  ...LOCKFILES.map((name): [string, string] => [name, LOCKFILE_REASON]),
  ['.gitlab-ci.yml', CI],
  ['.travis.yml', CI],
  ['azure-pipelines.yml', CI],
  ['bitbucket-pipelines.yml', CI],
  ['Jenkinsfile', CI],
  ['jenkinsfile', CI],
  ['.drone.yml', CI],
  ['.woodpecker.yml', CI],
  ['appveyor.yml', CI],
  ['.appveyor.yml', CI],
  ['.cirrus.yml', CI],
  ['cloudbuild.yaml', CI],
  ['cloudbuild.yml', CI],
  ['codemagic.yaml', CI],
  ['bitrise.yml', CI],
  // A workflow can use an action from any folder (`uses: ./tools/deploy`).
  ['action.yml', 'GitHub Action definition runs in CI with repository secrets'],
  ['action.yaml', 'GitHub Action definition runs in CI with repository secrets'],
  // Attributes pick filter, diff and merge drivers and line-ending conversion: content that changes
  // on checkout and commit.
  ['.gitattributes', 'git attributes choose the filters and drivers run on checkout and commit'],
  ['.gitmodules', 'submodule URLs decide what code git fetches'],
  // git-lfs reads it from the work tree: lfs.url is where it sends the user's credentials.
  ['.lfsconfig', 'git-lfs configuration decides where credentials are sent'],
  // pre-commit (the framework) runs these hooks on commit; .pre-commit-hooks.yaml defines the hooks
  // this repository offers others.
  ['.pre-commit-config.yaml', GIT_HOOKS],
  ['.pre-commit-config.yml', GIT_HOOKS],
  ['.pre-commit-hooks.yaml', GIT_HOOKS],
  ['.overcommit.yml', GIT_HOOKS],
  // direnv evaluates it as a shell script on `cd` into the folder (once allowed).
  ['.envrc', 'direnv runs it as a shell script on entering the folder'],
  ['.devcontainer.json', 'dev container configuration runs commands when the container is built'],
  // Gitpod runs its `tasks` when a workspace starts, with the user's credentials.
  ['.gitpod.yml', 'Gitpod runs its tasks when a workspace starts'],
  ['.gitpod.Dockerfile', 'Gitpod builds and runs it when a workspace starts'],
  // pnpm calls its hooks (readPackage, afterAllResolved) on every install.
  ['.pnpmfile.cjs', 'pnpm runs its hooks on every install'],
  ['.pnpmfile.mjs', 'pnpm runs its hooks on every install'],
  // Every ./gradlew or ./mvnw build runs these scripts first.
  ['gradlew', 'the Gradle wrapper runs on every build'],
  ['gradlew.bat', 'the Gradle wrapper runs on every build'],
  ['mvnw', 'the Maven wrapper runs on every build'],
  ['mvnw.cmd', 'the Maven wrapper runs on every build'],
  ['fixloop.config.json', "Fixloop's configuration"],
])

/** File-name shapes refused at any depth (case folded on a case-insensitive file system). */
const PROTECTED_PATTERNS: readonly (readonly [RegExp, string])[] = [
  [/^\.env/, 'environment file, may hold secrets'],
  [/^\.?lefthook(-local)?\.(ya?ml|json|jsonc|toml)$/, GIT_HOOKS],
  // lint-staged runs its commands from the pre-commit hook.
  [/^(\.lintstagedrc(\..+)?|lint-staged\.config\.[cm]?[jt]s)$/, GIT_HOOKS],
  [/^\.?simple-git-hooks\.(json|[cm]?js)$/, GIT_HOOKS],
  // husky 4 read its hooks from .huskyrc.
  [/^\.huskyrc(\..+)?$/, GIT_HOOKS],
  // commitlint loads (and so runs) its JavaScript config from the commit-msg hook.
  [/^(commitlint\.config\.[cm]?[jt]s|\.commitlintrc(\..+)?)$/, GIT_HOOKS],
  [/^\.?(mise|rtx)(\.local)?\.toml$/, 'mise runs its hooks and env scripts on entering the folder'],
]

/**
 * Secrets and registry settings, refused in any spelling: sending one to an API is worse than a
 * needless refusal. .npmrc also sets `script-shell` and `node-options` (a `--require` for every
 * npm run); .yarnrc* sets `yarnPath` (a file run as Yarn) and plugins.
 */
const CREDENTIAL_FILE = /^(\.npmrc|\.yarnrc(\..+)?|\.pypirc|\.netrc|\.pgpass)$/i
const CREDENTIAL_REASON = 'credentials or key material'
/** Private keys and certificates: never sent to an API, never edited. */
const KEY_FILE = /\.(pem|key|p12|pfx|jks|keystore)$|^id_(rsa|dsa|ecdsa|ed25519)(\.pub)?$/i

const BUILD = 'a build file'
const CONTAINER = 'a container build file (its RUN steps run commands; the image is what ships)'
const COMPOSE = 'a container definition (it decides what runs, with which mounts and ports)'
const DEPLOY = 'deployment configuration (the commands it names run when the project deploys)'
const JS_BUILD = 'build configuration (JavaScript that runs on every build)'

/**
 * Build files a fix may change only with approval, by name in any case. Each reason completes
 * "the fix edits …".
 */
const REVIEWED_FILES = new Map<string, string>([
  ['makefile', `${BUILD} (make recipes run shell commands)`],
  ['gnumakefile', `${BUILD} (make recipes run shell commands)`],
  ['makefile.am', `${BUILD} (make recipes run shell commands)`],
  ['makefile.in', `${BUILD} (make recipes run shell commands)`],
  ['configure', `${BUILD} (a configure script)`],
  ['configure.ac', `${BUILD} (autoconf input for the configure script)`],
  ['justfile', `${BUILD} (just recipes run shell commands)`],
  ['.justfile', `${BUILD} (just recipes run shell commands)`],
  ['taskfile.yml', `${BUILD} (Task runs its commands)`],
  ['taskfile.yaml', `${BUILD} (Task runs its commands)`],
  ['taskfile.dist.yml', `${BUILD} (Task runs its commands)`],
  ['rakefile', `${BUILD} (Ruby code run by rake)`],
  ['gemfile', `${BUILD} (Ruby code Bundler evaluates; decides what gets installed)`],
  ['cmakelists.txt', `${BUILD} (CMake code runs at configure time)`],
  ['meson.build', `${BUILD} (Meson build definition)`],
  ['build.bazel', `${BUILD} (Bazel build definition)`],
  ['workspace', `${BUILD} (Bazel workspace definition)`],
  ['module.bazel', `${BUILD} (Bazel module definition)`],
  ['pom.xml', `${BUILD} (Maven plugins run at build time)`],
  ['build.xml', `${BUILD} (Ant targets run commands)`],
  ['gradle.properties', `${BUILD} (sets the JVM arguments of every Gradle build)`],
  // Cargo compiles and runs build.rs before the crate, `cargo test` included.
  ['build.rs', `${BUILD} (a Cargo build script runs before every build)`],
  ['setup.py', `${BUILD} (runs on install and build)`],
  // Python imports these at start-up when they are on sys.path.
  ['sitecustomize.py', 'Python start-up code (imported by every interpreter that finds it)'],
  ['usercustomize.py', 'Python start-up code (imported by every interpreter that finds it)'],
  ['vagrantfile', `${BUILD} (Ruby code run by vagrant up)`],
  ['dockerfile', CONTAINER],
  ['containerfile', CONTAINER],
  ['docker-compose.yml', COMPOSE],
  ['docker-compose.yaml', COMPOSE],
  ['compose.yml', COMPOSE],
  ['compose.yaml', COMPOSE],
  // The dev shell's shellHook runs on entering it, by direnv's `use flake` on `cd`.
  ['flake.nix', `${BUILD} (Nix: its shell hook runs on entering the dev shell)`],
  ['shell.nix', `${BUILD} (Nix: its shell hook runs on entering the dev shell)`],
  ['devenv.nix', `${BUILD} (Nix: its shell hook runs on entering the dev shell)`],
  ['turbo.json', `${BUILD} (Turborepo task pipeline)`],
  // pnpm 10 keeps settings here, `onlyBuiltDependencies` (which packages may run install scripts).
  ['pnpm-workspace.yaml', 'package-manager settings (which packages may run install scripts)'],
  // `preload` scripts run before every bun run and bun test.
  ['bunfig.toml', 'Bun configuration (its preload scripts run before every run and test)'],
  ['deno.json', 'Deno configuration (its tasks run commands)'],
  ['deno.jsonc', 'Deno configuration (its tasks run commands)'],
  ['procfile', DEPLOY],
  ['netlify.toml', DEPLOY],
  ['vercel.json', DEPLOY],
  ['fly.toml', DEPLOY],
  ['render.yaml', DEPLOY],
])

/** Build-file shapes a fix may change only with approval, matched in any case. */
const REVIEWED_PATTERNS: readonly (readonly [RegExp, string])[] = [
  [/\.mk$/i, `${BUILD} (make recipes run shell commands)`],
  [/\.rake$/i, `${BUILD} (Ruby code run by rake)`],
  [/\.gemspec$/i, `${BUILD} (Ruby code; decides what gets installed)`],
  [/\.cmake$/i, `${BUILD} (CMake code runs at configure time)`],
  [/\.bzl$/i, `${BUILD} (Bazel build definition)`],
  [/\.(gradle|gradle\.kts)$/i, `${BUILD} (Gradle build scripts run code)`],
  [/\.sbt$/i, `${BUILD} (sbt build definition runs Scala code)`],
  // Dockerfile.dev, api.dockerfile; not Dockerfile.md.
  [/^(dockerfile|containerfile)\.(?!(md|txt|rst|adoc)$)|\.(dockerfile|containerfile)$/i, CONTAINER],
  [/^docker-compose\..+\.ya?ml$/i, COMPOSE],
  [/^(gulpfile|gruntfile)\.[cm]?[jt]s$/i, `${BUILD} (a task runner's JavaScript)`],
  [
    /^(webpack|rollup|rolldown|esbuild|tsup|babel|postcss|prettier|stylelint)\.config\.[cm]?[jt]s$/i,
    JS_BUILD,
  ],
  // The editor's Prettier and Babel integrations load these on save.
  [/^\.(babelrc|prettierrc)\.[cm]?[jt]s$/i, JS_BUILD],
]

/** Two-level paths reviewed in any case: Cargo's runner and rustc-wrapper settings. */
const REVIEWED_SUBPATHS = new Map<string, string>([
  [
    '.cargo/config.toml',
    'Cargo configuration (its runner and rustc-wrapper run on build and test)',
  ],
  ['.cargo/config', 'Cargo configuration (its runner and rustc-wrapper run on build and test)'],
])

/**
 * package.json keys whose change holds a fix for review, with why: what they run or install. Each
 * reason completes "the fix changes `<key>` in package.json, …".
 */
export const REVIEWED_PACKAGE_KEYS: ReadonlyMap<string, string> = new Map([
  ['scripts', 'npm scripts run as shell commands, install hooks on every install'],
  ['bin', 'the commands the package puts on PATH'],
  ['husky', 'git hooks (husky 4)'],
  ['simple-git-hooks', 'git hooks'],
  ['gitHooks', 'git hooks (yorkie)'],
  ['pre-commit', 'git hooks (the pre-commit package)'],
  ['lint-staged', 'commands the pre-commit hook runs'],
  // corepack downloads and runs the package manager named here.
  ['packageManager', 'the package manager corepack downloads and runs'],
  ['dependencies', 'what gets installed (and whose install scripts run)'],
  ['devDependencies', 'what gets installed (and whose install scripts run)'],
  ['optionalDependencies', 'what gets installed (and whose install scripts run)'],
  ['peerDependencies', 'what gets installed (and whose install scripts run)'],
  ['overrides', 'what gets installed (and whose install scripts run)'],
  ['resolutions', 'what gets installed (and whose install scripts run)'],
  ['pnpm', 'pnpm settings: overrides, patches, which packages may run install scripts'],
])

export interface ProtectionOptions {
  /** Compare names ignoring case, as a case-insensitive file system would. @default false */
  caseInsensitive?: boolean
}

const folded = <V>(map: ReadonlyMap<string, V>) =>
  new Map([...map].map(([k, v]) => [k.toLowerCase(), v]))
const PROTECTED_DIRS_FOLDED = folded(PROTECTED_DIRS)
const PROTECTED_SUBDIRS_FOLDED = folded(PROTECTED_SUBDIRS)
const PROTECTED_FILES_FOLDED = folded(PROTECTED_FILES)
const PROTECTED_PATTERNS_FOLDED = PROTECTED_PATTERNS.map(
  ([re, why]) => [new RegExp(re.source, `${re.flags}i`), why] as const,
)

const pathParts = (relativePath: string) =>
  relativePath.split('/').filter((p) => p !== '' && p !== '.')

/**
 * Why a project-relative path (forward slashes) is protected, as "<path> is protected (<reason>)",
 * or null when the fixer may touch it. The path itself and every directory above it are checked,
 * so `.git/config` and `a/.git/HEAD` are both refused.
 */
export function protectedReason(
  relativePath: string,
  options: ProtectionOptions = {},
): string | null {
  const parts = pathParts(relativePath)
  // On a case-sensitive file system `.GIT` is a different, harmless directory, so names are folded
  // only where the file system would fold them too.
  const fold = options.caseInsensitive === true
  const key = (s: string) => (fold ? s.toLowerCase() : s)
  const dirs = fold ? PROTECTED_DIRS_FOLDED : PROTECTED_DIRS
  const subdirs = fold ? PROTECTED_SUBDIRS_FOLDED : PROTECTED_SUBDIRS
  for (let i = 0; i < parts.length; i++) {
    const dir = dirs.get(key(parts[i]!))
    if (dir) return `${parts.slice(0, i + 1).join('/')} is protected (${dir})`
    const pair = i + 1 < parts.length ? subdirs.get(key(`${parts[i]}/${parts[i + 1]}`)) : undefined
    if (pair) return `${parts.slice(0, i + 2).join('/')} is protected (${pair})`
  }
  const last = parts.at(-1)
  if (last === undefined) return null
  const shown = `${relativePath} is protected`
  const file = (fold ? PROTECTED_FILES_FOLDED : PROTECTED_FILES).get(key(last))
  if (file) return `${shown} (${file})`
  for (const [re, why] of fold ? PROTECTED_PATTERNS_FOLDED : PROTECTED_PATTERNS) {
    if (re.test(last)) return `${shown} (${why})`
  }
  if (CREDENTIAL_FILE.test(last) || KEY_FILE.test(last)) return `${shown} (${CREDENTIAL_REASON})`
  return null
}

/**
 * Why a fix that writes this project-relative path (forward slashes) must be held for review, or
 * null. Names match in any case: a needless review costs a click. The reason completes "the fix
 * edits …", e.g. "a build file (make recipes run shell commands)". Paths `protectedReason` refuses
 * are not listed here; package.json is judged by its keys (`REVIEWED_PACKAGE_KEYS`).
 */
export function reviewReason(relativePath: string): string | null {
  const parts = pathParts(relativePath)
  const last = parts.at(-1)?.toLowerCase()
  if (last === undefined) return null
  const file = REVIEWED_FILES.get(last)
  if (file) return file
  if (parts.length >= 2) {
    const pair = REVIEWED_SUBPATHS.get(`${parts.at(-2)!.toLowerCase()}/${last}`)
    if (pair) return pair
  }
  for (const [re, why] of REVIEWED_PATTERNS) if (re.test(last)) return why
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

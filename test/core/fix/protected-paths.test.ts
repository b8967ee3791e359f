import { describe, expect, it } from 'vitest'
import {
  REVIEWED_PACKAGE_KEYS,
  protectedReason,
  reviewReason,
} from '../../../src/main/core/fix/protected-paths'

describe('protectedReason', () => {
  it.each([
    // Git hooks: run on commit and push, outside any sandbox.
    ['.husky/pre-commit', /^\.husky is protected \(git hooks/],
    ['.husky/_/husky.sh', /^\.husky is protected/],
    ['.githooks/pre-push', /git hooks/],
    ['.lefthook/pre-commit/lint.sh', /git hooks/],
    ['lefthook.yml', /git hooks/],
    ['.lefthook.yaml', /git hooks/],
    ['.pre-commit-config.yaml', /git hooks/],
    ['.lintstagedrc', /git hooks/],
    ['.lintstagedrc.json', /git hooks/],
    ['lint-staged.config.mjs', /git hooks/],
    ['.simple-git-hooks.json', /git hooks/],
    ['.huskyrc.json', /git hooks/],
    ['commitlint.config.js', /git hooks/],
    ['.overcommit.yml', /git hooks/],
    // CI: runs with repository secrets.
    ['.github/workflows/ci.yml', /^\.github\/workflows is protected \(CI workflows/],
    ['.github/actions/setup/action.yml', /^\.github\/actions is protected \(GitHub Actions/],
    ['tools/deploy/action.yaml', /GitHub Action definition/],
    ['.gitea/workflows/ci.yml', /CI workflows/],
    ['.drone.yml', /CI configuration/],
    ['.gitlab-ci.yml', /CI configuration/],
    // Editors and dev environments: run on folder open, cd or container start.
    ['.vscode/tasks.json', /^\.vscode is protected \(editor configuration runs commands/],
    ['.vscode/settings.json', /\.vscode is protected/],
    ['.vscode/launch.json', /\.vscode is protected/],
    ['.idea/runConfigurations/test.xml', /run configurations/],
    ['.idea/watcherTasks.xml', /\.idea is protected/],
    ['.zed/tasks.json', /\.zed is protected/],
    ['.devcontainer/devcontainer.json', /dev container/],
    ['.devcontainer.json', /dev container/],
    ['.gitpod.yml', /Gitpod/],
    ['.envrc', /direnv/],
    ['mise.toml', /mise/],
    ['.mise.local.toml', /mise/],
    // Package managers: hooks and settings that run on install.
    ['.pnpmfile.cjs', /pnpm runs its hooks/],
    ['.yarnrc', /credentials/],
    ['.yarnrc.yml', /credentials/],
    ['.yarnrc.yaml', /credentials/],
    ['.yarn/releases/yarn-4.1.0.cjs', /\.yarn is protected/],
    ['.yarn/plugins/plugin.cjs', /\.yarn is protected/],
    ['.npmrc', /credentials/],
    ['gradlew', /Gradle wrapper/],
    ['gradle/wrapper/gradle-wrapper.properties', /^gradle\/wrapper is protected/],
    ['mvnw', /Maven wrapper/],
    ['.mvn/extensions.xml', /\.mvn is protected/],
    // Git configuration in the work tree.
    ['.gitattributes', /filters and drivers/],
    ['.gitmodules', /submodule URLs/],
    ['.lfsconfig', /git-lfs/],
    // What was protected before stays protected.
    ['.git/config', /^\.git is protected/],
    ['packages/a/.git', /\.git is protected/],
    ['.env.local', /environment file/],
    ['yarn.lock', /lockfile/],
    ['certs/server.key', /key material/],
    ['node_modules/x/index.js', /installed dependencies/],
    ['.fixloop/state.json', /Fixloop's own state/],
    ['fixloop.config.json', /Fixloop's configuration/],
  ])('refuses %s', (path, reason) => {
    expect(protectedReason(path)).toMatch(reason)
  })

  it('refuses them in a subfolder too (a monorepo package)', () => {
    expect(protectedReason('packages/web/.husky/pre-commit')).toMatch(
      /^packages\/web\/\.husky is protected/,
    )
    expect(protectedReason('packages/web/.vscode/tasks.json')).toMatch(/\.vscode is protected/)
  })

  it('says "<path> is protected (<reason>)", the form apply reads back', () => {
    for (const path of ['.envrc', '.husky/pre-commit', '.github/actions/a/action.yml']) {
      expect(protectedReason(path)).toMatch(/^\S+ is protected \([^()]+\)$/)
    }
  })

  it.each([
    'src/index.ts',
    'src/git/hooks.ts',
    'docs/vscode.md',
    'src/husky.ts',
    'Makefile',
    'package.json',
    'Dockerfile',
    '.github/ISSUE_TEMPLATE/bug.md',
    'src/actions/action.ts',
    '.eslintrc.cjs',
    'envrc.md',
  ])('lets the fixer touch %s', (path) => {
    expect(protectedReason(path)).toBeNull()
  })

  it('folds case only where the file system does', () => {
    expect(protectedReason('.VSCode/tasks.json')).toBeNull()
    expect(protectedReason('.VSCode/tasks.json', { caseInsensitive: true })).toMatch(/protected/)
    expect(protectedReason('.GitHub/Actions/x/action.yml', { caseInsensitive: true })).toMatch(
      /protected/,
    )
    expect(protectedReason('.GITATTRIBUTES', { caseInsensitive: true })).toMatch(/protected/)
    expect(protectedReason('LeftHook.yml', { caseInsensitive: true })).toMatch(/git hooks/)
  })
})

describe('reviewReason', () => {
  it.each([
    ['Makefile', /make recipes run shell commands/],
    ['GNUmakefile', /make/],
    ['build/rules.mk', /make/],
    ['justfile', /just recipes/],
    ['Taskfile.yml', /Task runs/],
    ['Rakefile', /rake/],
    ['Gemfile', /Bundler/],
    ['CMakeLists.txt', /CMake/],
    ['build.gradle.kts', /Gradle/],
    ['pom.xml', /Maven/],
    ['build.rs', /Cargo build script/],
    ['.cargo/config.toml', /runner and rustc-wrapper/],
    ['setup.py', /install/],
    ['sitecustomize.py', /Python start-up/],
    ['Dockerfile', /container build file/],
    ['Dockerfile.dev', /container build file/],
    ['api.dockerfile', /container build file/],
    ['Containerfile', /container build file/],
    ['docker-compose.yml', /container definition/],
    ['compose.yaml', /container definition/],
    ['flake.nix', /shell hook/],
    ['webpack.config.js', /build configuration/],
    ['prettier.config.mjs', /build configuration/],
    ['gulpfile.js', /task runner/],
    ['pnpm-workspace.yaml', /install scripts/],
    ['bunfig.toml', /preload/],
    ['Procfile', /deploy/],
  ])('holds a fix to %s for review', (path, reason) => {
    expect(reviewReason(path)).toMatch(reason)
  })

  it('matches names in any case', () => {
    expect(reviewReason('makefile')).toMatch(/make/)
    expect(reviewReason('DOCKERFILE')).toMatch(/container/)
  })

  it('gives a reason that completes "the fix edits …"', () => {
    expect(`the fix edits ${reviewReason('Makefile')}`).toBe(
      'the fix edits a build file (make recipes run shell commands)',
    )
  })

  it.each(['src/index.ts', 'src/make.ts', 'docs/Dockerfile.md', 'package.json', 'README.md'])(
    'leaves %s to the other checks',
    (path) => {
      expect(reviewReason(path)).toBeNull()
    },
  )

  it('names the package.json keys that run or install code', () => {
    for (const key of [
      'scripts',
      'bin',
      'husky',
      'lint-staged',
      'packageManager',
      'dependencies',
    ]) {
      expect(REVIEWED_PACKAGE_KEYS.get(key), key).toMatch(/\w/)
    }
    expect(REVIEWED_PACKAGE_KEYS.has('main')).toBe(false)
    expect(REVIEWED_PACKAGE_KEYS.has('type')).toBe(false)
  })
})

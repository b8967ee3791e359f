/**
 * What a watcher never wants to see, in gitignore syntax. A project's `.gitignore` and the user's own
 * patterns come after these, so a project can re-include one of them (`!build/`).
 */
export const DEFAULT_IGNORES: readonly string[] = [
  // Dependencies and other version-control folders
  'node_modules',
  'bower_components/',
  'jspm_packages/',
  '.pnpm-store/',
  '.hg/',
  '.svn/',
  // Build outputs and tool caches
  'dist/',
  'out/',
  'build/',
  'coverage/',
  '.nyc_output/',
  '.next/',
  '.nuxt/',
  '.svelte-kit/',
  '.turbo/',
  '.parcel-cache/',
  '.vite/',
  '.cache/',
  '.angular/',
  'storybook-static/',
  '*.tsbuildinfo',
  '__pycache__/',
  '*.py[cod]',
  '.pytest_cache/',
  '.mypy_cache/',
  '.ruff_cache/',
  '.tox/',
  '.venv/',
  // Editors' temp, backup, swap and lock files: an atomic save passes through these
  '*~',
  '*.swp',
  '*.swo',
  '*.swx',
  '.#*',
  // A leading '#' starts a comment in gitignore syntax, so Emacs' autosave name needs the escape
  '\\#*#',
  // Vim probes whether a folder is writable with a file named 4913
  '4913',
  '*.tmp',
  '*___jb_tmp___',
  '*___jb_old___',
  '.DS_Store',
  'Thumbs.db',
  '.idea/',
  // Logs
  '*.log',
  'npm-debug.log*',
  'yarn-debug.log*',
  'yarn-error.log*',
  'pnpm-debug.log*',
]

/**
 * Ignored whatever the project says: git's own store and Fixloop's state folder (whose writes would
 * otherwise feed the loop its own tail).
 */
export const HARD_IGNORES: readonly string[] = ['.git', '.fixloop']

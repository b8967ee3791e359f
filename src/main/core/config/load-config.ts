import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import type { z } from 'zod'
import { Settings } from '../../../shared/settings'
import type { SecretName, SettingsInput } from '../../../shared/settings'
import { parseEnvFile } from './env-file'

/** The name of the shared, committed project configuration (never secrets). */
export const CONFIG_FILE = 'fixloop.config.json'

/** Settings changed from the dashboard, kept on this machine only. */
export const LOCAL_SETTINGS_FILE = '.fixloop/settings.json'

export type Secrets = Partial<Record<SecretName, string>>

export interface LoadedConfig {
  projectRoot: string
  /** Absolute; defaults to `<project>/.fixloop/state.json`. */
  stateFile: string | undefined
  lockFile: string | undefined
  settings: Settings
  secrets: Secrets
  /** The Messages API base URL when ANTHROPIC_BASE_URL is set (a proxy, or a local fake in tests). */
  anthropicBaseUrl: string | undefined
  /** Where each value came from, for `fixloop status` and the health report. */
  sources: string[]
}

/** A configuration value that cannot be used. The message names the variable and what is allowed. */
export class ConfigError extends Error {
  readonly code = 'invalid_config'
  constructor(readonly problems: string[]) {
    super(
      problems.length === 1
        ? `Invalid configuration: ${problems[0]}`
        : `Invalid configuration:\n  - ${problems.join('\n  - ')}`,
    )
    this.name = 'ConfigError'
  }
}

export interface LoadConfigOptions {
  /** The project folder; otherwise PROJECT_ROOT, otherwise `cwd`. */
  dir?: string
  /** @default process.env */
  env?: NodeJS.ProcessEnv
  /** @default process.cwd() */
  cwd?: string
}

type EnvRule = {
  key: keyof Settings | 'escalation.githubRepo'
  parse: (raw: string) => unknown
  /** What is allowed, in words. */
  allowed: string
}

const int = (raw: string): unknown => (/^-?\d+$/.test(raw.trim()) ? Number(raw) : raw)
const num = (raw: string): unknown =>
  raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw
const bool = (raw: string): unknown => {
  const v = raw.trim().toLowerCase()
  if (['1', 'true', 'yes', 'on'].includes(v)) return true
  if (['0', 'false', 'no', 'off'].includes(v)) return false
  return raw
}
const list = (raw: string): unknown =>
  raw
    .split(',')
    .map((s) => s.trim().replace(/^\./, ''))
    .filter(Boolean)

/** The variables that feed settings (the seed's, then Fixloop's own), with how to read each. */
const ENV_SETTINGS: Record<string, EnvRule> = {
  CLAUDE_MODEL: { key: 'model', parse: (s) => s.trim(), allowed: 'a model name' },
  MAX_RETRIES: { key: 'maxRetries', parse: int, allowed: 'a whole number from 1 to 20' },
  AUTO_FIX_ENABLED: { key: 'autoFix', parse: bool, allowed: 'true or false (also 1/0, yes/no)' },
  FILE_WATCH_DEBOUNCE_SECONDS: {
    key: 'debounceSeconds',
    parse: num,
    allowed: 'a number of seconds from 0 to 600',
  },
  FIXLOOP_CHECK_DEBOUNCE_SECONDS: {
    key: 'checkDebounceSeconds',
    parse: num,
    allowed: 'a number of seconds from 0 to 600',
  },
  CIRCUIT_BREAKER_THRESHOLD: {
    key: 'breakerThreshold',
    parse: int,
    allowed: 'a whole number from 1 to 100',
  },
  CIRCUIT_BREAKER_WINDOW: {
    key: 'breakerWindowSeconds',
    parse: int,
    allowed: 'a whole number of seconds, at least 1',
  },
  WATCH_EXTENSIONS: { key: 'watchExtensions', parse: list, allowed: 'a comma list like ts,tsx,js' },
  GITHUB_REPO: { key: 'escalation.githubRepo', parse: (s) => s.trim(), allowed: 'owner/name' },
}

const ENV_SECRETS: Record<string, SecretName> = {
  ANTHROPIC_API_KEY: 'anthropicApiKey',
  GITHUB_TOKEN: 'githubToken',
  SLACK_WEBHOOK_URL: 'slackWebhookUrl',
  EMAIL_WEBHOOK_URL: 'emailWebhookUrl',
}

const SECRET_LIKE_KEYS = /api.?key|token|secret|password|webhook/i

/**
 * Reads the configuration of a project: defaults, then `fixloop.config.json`, then the project's `.env`,
 * then the process environment (which wins). Every problem is collected and reported at once.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const processEnv = options.env ?? process.env
  const cwd = options.cwd ?? process.cwd()
  const problems: string[] = []
  const sources: string[] = ['defaults']

  const rootInput = options.dir ?? processEnv.PROJECT_ROOT ?? cwd
  const projectRoot = resolve(cwd, rootInput)
  if (!existsSync(projectRoot) || !statSync(projectRoot).isDirectory()) {
    const via = options.dir
      ? 'the project folder'
      : processEnv.PROJECT_ROOT
        ? 'PROJECT_ROOT'
        : 'cwd'
    throw new ConfigError([`${via}: ${projectRoot} is not a folder that exists`])
  }

  // The project's .env fills in what the process environment does not set.
  const env: Record<string, string | undefined> = {}
  const envPath = join(projectRoot, '.env')
  if (existsSync(envPath)) {
    try {
      Object.assign(env, parseEnvFile(readFileSync(envPath, 'utf8')))
      sources.push('.env')
    } catch (e) {
      problems.push(`.env: cannot be read (${(e as Error).message})`)
    }
  }
  for (const [k, v] of Object.entries(processEnv)) if (v !== undefined && v !== '') env[k] = v

  let input: Record<string, unknown> = {}
  const configPath = join(projectRoot, CONFIG_FILE)
  if (existsSync(configPath)) {
    sources.push(CONFIG_FILE)
    try {
      const parsed: unknown = JSON.parse(readFileSync(configPath, 'utf8'))
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
        problems.push(`${CONFIG_FILE}: must hold a JSON object`)
      } else {
        input = parsed as Record<string, unknown>
        for (const key of Object.keys(input)) {
          if (SECRET_LIKE_KEYS.test(key))
            problems.push(
              `${CONFIG_FILE}: "${key}" looks like a secret; secrets belong in the environment or .env, never in a committed file`,
            )
        }
        const check = Settings.safeParse(input)
        if (!check.success) problems.push(...describeIssues(CONFIG_FILE, check.error))
      }
    } catch (e) {
      problems.push(`${CONFIG_FILE}: not valid JSON (${(e as Error).message})`)
    }
  }

  // Changes made from the dashboard on this machine: `.fixloop/settings.json` (never committed).
  const localPath = join(projectRoot, LOCAL_SETTINGS_FILE)
  if (existsSync(localPath)) {
    try {
      const local: unknown = JSON.parse(readFileSync(localPath, 'utf8'))
      const check = Settings.partial().safeParse(local)
      if (check.success) {
        input = { ...input, ...(local as Record<string, unknown>) }
        sources.push(LOCAL_SETTINGS_FILE)
      } else problems.push(...describeIssues(LOCAL_SETTINGS_FILE, check.error))
    } catch (e) {
      problems.push(`${LOCAL_SETTINGS_FILE}: not valid JSON (${(e as Error).message})`)
    }
  }

  const overlay: Record<string, unknown> = {}
  for (const [name, rule] of Object.entries(ENV_SETTINGS)) {
    const raw = env[name]
    if (raw === undefined) continue
    const value = rule.parse(raw)
    const schema = fieldSchema(rule.key)
    const check = schema.safeParse(value)
    if (!check.success) {
      problems.push(`${name}=${JSON.stringify(raw)} is not allowed: use ${rule.allowed}`)
      continue
    }
    overlay[rule.key] = check.data
  }
  if (Object.keys(overlay).length) sources.push('environment')

  const secrets: Secrets = {}
  for (const [name, secret] of Object.entries(ENV_SECRETS)) {
    const value = env[name]?.trim()
    if (value) secrets[secret] = value
  }
  for (const [name, secret] of [
    ['SLACK_WEBHOOK_URL', 'slackWebhookUrl'],
    ['EMAIL_WEBHOOK_URL', 'emailWebhookUrl'],
  ] as const) {
    const value = secrets[secret]
    if (value && !/^https?:\/\//i.test(value)) problems.push(`${name}: must be an http(s) URL`)
  }

  const anthropicBaseUrl = env.ANTHROPIC_BASE_URL?.trim() || undefined
  if (anthropicBaseUrl && !/^https?:\/\//i.test(anthropicBaseUrl))
    problems.push('ANTHROPIC_BASE_URL: must be an http(s) URL')

  if (problems.length) throw new ConfigError(problems)

  const merged: SettingsInput = { ...(input as SettingsInput) }
  for (const [key, value] of Object.entries(overlay)) {
    if (key === 'escalation.githubRepo')
      merged.escalation = { ...merged.escalation, githubRepo: value as string }
    else (merged as Record<string, unknown>)[key] = value
  }
  const settings = Settings.parse(merged)

  const inProject = (p: string | undefined) =>
    p ? (isAbsolute(p) ? p : resolve(projectRoot, p)) : undefined

  return {
    projectRoot,
    stateFile: inProject(env.STATE_FILE),
    lockFile: inProject(env.LOCK_FILE),
    settings,
    secrets,
    anthropicBaseUrl,
    sources,
  }
}

function fieldSchema(key: EnvRule['key']): z.ZodType {
  if (key === 'escalation.githubRepo') return Settings.shape.escalation.unwrap().shape.githubRepo
  return Settings.shape[key]
}

/** Turns zod issues into lines that name the file and field. */
export function describeIssues(where: string, error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.length ? issue.path.join('.') : '(root)'
    return `${where}: ${path}: ${issue.message}`
  })
}

/**
 * Keeps the settings that differ from `fixloop.config.json` + defaults in `.fixloop/settings.json`,
 * so a change made in the dashboard survives a restart without touching a committed file.
 */
export function saveLocalSettings(projectRoot: string, settings: Settings): void {
  const base = loadConfigFileSettings(projectRoot)
  const diff: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(settings)) {
    if (JSON.stringify(value) !== JSON.stringify((base as Record<string, unknown>)[key]))
      diff[key] = value
  }
  const file = join(projectRoot, LOCAL_SETTINGS_FILE)
  mkdirSync(dirname(file), { recursive: true })
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, `${JSON.stringify(diff, null, 2)}\n`)
  renameSync(tmp, file)
}

function loadConfigFileSettings(projectRoot: string): Settings {
  try {
    return Settings.parse(JSON.parse(readFileSync(join(projectRoot, CONFIG_FILE), 'utf8')))
  } catch {
    return Settings.parse({})
  }
}

/**
 * Settings: what a user can change, with their defaults. The environment variables of the original
 * orchestrator map onto these keys (see `ENV_KEYS`); `fixloop.config.json` and the app's settings use
 * the camelCase names.
 *
 * Secrets (API key, GitHub token, webhook URLs) are not part of `Settings`: they travel separately
 * and the UI only ever sees whether each one is set.
 */
import { z } from 'zod'

export const IntegrityPolicy = z.enum(['allow', 'review', 'refuse'])
export type IntegrityPolicy = z.infer<typeof IntegrityPolicy>

export const WatchBackend = z.enum(['native', 'polling'])

/**
 * The OS sandbox around check processes (bubblewrap on Linux, sandbox-exec on macOS): the file system
 * is read-only but for the shadow workspace and a private temp folder. `auto` uses it where it works,
 * `required` refuses to run checks without it, `off` never uses it. Windows has none.
 */
export const SandboxMode = z.enum(['auto', 'required', 'off'])
export type SandboxMode = z.infer<typeof SandboxMode>

/**
 * What happens to a fix verified in the shadow workspace: `auto` applies it to the user's tree,
 * `review` holds every fix until it is approved. A fix that touches tests is held either way.
 */
export const ApplyPolicy = z.enum(['auto', 'review'])
export type ApplyPolicy = z.infer<typeof ApplyPolicy>

/**
 * Who fixes: `api` is Fixloop's own agent over the Anthropic API (needs an API key); `claude-code`
 * runs the developer's installed Claude Code headless (`claude -p`) in the shadow workspace, with its
 * own login. Either way Fixloop's verification judges and Fixloop applies.
 */
export const FixerBackend = z.enum(['api', 'claude-code'])
export type FixerBackend = z.infer<typeof FixerBackend>

/** How hard the model thinks: `auto` is medium on the first round of a task, high after. */
export const EffortSetting = z.enum(['auto', 'low', 'medium', 'high', 'xhigh', 'max'])
export type EffortSetting = z.infer<typeof EffortSetting>

export const CheckCommand = z.object({
  name: z.string().min(1),
  /** The command as an argument array; `{files}` expands to the changed files. */
  command: z.array(z.string().min(1)).min(1),
})
export type CheckCommand = z.infer<typeof CheckCommand>

const positiveInt = z.number().int().positive()
const nonNegative = z.number().nonnegative()

export const Settings = z.object({
  /** @default 'claude-sonnet-5-5' */
  model: z.string().min(1).default('claude-sonnet-5-5'),
  /** Tried once when the model declines a task (a refusal); null: none. @default 'claude-opus-5-5' */
  fallbackModel: z.string().min(1).nullable().default('claude-opus-5-5'),
  /** @default 'auto' */
  effort: EffortSetting.default('auto'),
  /** @default 'api' */
  fixer: FixerBackend.default('api'),
  /** Attempts per task. @default 5 */
  maxRetries: positiveInt.max(20).default(5),
  /** @default true */
  autoFix: z.boolean().default(true),
  /**
   * Seconds every file of a red task must have been quiet before the task is sent to Claude (the
   * fix debounce); a file changed meanwhile makes the task's result stale, and the newer change is
   * checked instead. @default 2
   */
  debounceSeconds: nonNegative.max(600).default(2),
  /**
   * Seconds of quiet before the related checks run on a change, so red or green shows about as
   * fast as a test runner's watch mode. Never more than `debounceSeconds`. @default 0.3
   */
  checkDebounceSeconds: nonNegative.max(600).default(0.3),
  /** Longest a batch can be held while changes keep coming, in seconds. @default 10 */
  maxWaitSeconds: nonNegative.max(3600).default(10),
  /** Failed tasks on one file within the window that open its breaker. @default 3 */
  breakerThreshold: positiveInt.max(100).default(3),
  /** Breaker window in seconds. @default 3600 */
  breakerWindowSeconds: positiveInt.default(3600),
  /** Files in one batch beyond which it becomes one `batch` task. @default 50 */
  stormThreshold: positiveInt.default(50),
  /**
   * Re-runs of a failing check before a fix is tried, to tell a flaky test from a broken one. None
   * when the failing test is in the change or was chosen for a changed file. @default 1
   */
  flakyReruns: z.number().int().min(0).max(10).default(1),
  /** Check timeout in seconds. @default 300 */
  checkTimeoutSeconds: positiveInt.max(24 * 3600).default(300),
  /** Run the whole suite before a fix can complete. @default true */
  verifyFullSuite: z.boolean().default(true),
  /** Extra checks after a fix (typecheck, lint…). @default [] */
  extraChecks: z.array(CheckCommand).default([]),
  /** Overrides the detected test command; `{files}` is replaced by the related files. */
  testCommand: z.array(z.string().min(1)).min(1).nullable().default(null),
  /** Extra ignore patterns, gitignore syntax. @default [] */
  ignore: z.array(z.string()).default([]),
  /** Only these extensions count as changes (e.g. ["ts", "js"]); empty means all. @default [] */
  watchExtensions: z.array(z.string().regex(/^\.?[A-Za-z0-9]+$/)).default([]),
  /** @default 'native' (polling is chosen automatically where native watching cannot work) */
  watchBackend: WatchBackend.default('native'),
  /** What to do with a fix that edits tests or weakens them. @default 'review' */
  testIntegrity: IntegrityPolicy.default('review'),
  /** @default 'auto' */
  sandbox: SandboxMode.default('auto'),
  /** @default 'auto' */
  apply: ApplyPolicy.default('auto'),
  /** Tasks run at once on disjoint files (each in its own shadow workspace). @default 1 */
  concurrency: positiveInt.max(8).default(1),
  budgets: z
    .object({
      /** USD per attempt. @default 0.5 */
      attemptUsd: nonNegative.default(0.5),
      /** USD per task. @default 2 */
      taskUsd: nonNegative.default(2),
      /** USD per day. @default 10 */
      dayUsd: nonNegative.default(10),
      /** Tokens (input + output) per attempt. @default 200000 */
      attemptTokens: positiveInt.default(200_000),
      /** Tokens per task. @default 800000 */
      taskTokens: positiveInt.default(800_000),
      /** Tokens per day. @default 4000000 */
      dayTokens: positiveInt.default(4_000_000),
    })
    .prefault({}),
  escalation: z
    .object({
      /** GitHub repository "owner/name" for issues. */
      githubRepo: z
        .string()
        .regex(/^[\w.-]+\/[\w.-]+$/, 'must look like owner/name')
        .nullable()
        .default(null),
      /** Least minutes between two deliveries to one channel for one fingerprint. @default 60 */
      rateLimitMinutes: nonNegative.default(60),
      /** @default ['log', 'desktop', 'github', 'slack', 'email'] */
      ladder: z
        .array(z.enum(['log', 'desktop', 'github', 'slack', 'email']))
        .default(['log', 'desktop', 'github', 'slack', 'email']),
    })
    .prefault({}),
  notifications: z
    .object({
      /** Show only escalations as OS notifications. @default false */
      escalationsOnly: z.boolean().default(false),
    })
    .prefault({}),
})
export type Settings = z.infer<typeof Settings>
export type SettingsInput = z.input<typeof Settings>

export const DEFAULT_SETTINGS: Settings = Settings.parse({})

type Nested = 'budgets' | 'escalation' | 'notifications'

/**
 * A partial update of settings, validated against the same rules, where a nested group (budgets,
 * escalation, notifications) may be partial too. It has no defaults: a key left out stays as it is.
 */
export type SettingsPatch = { [K in Exclude<keyof Settings, Nested>]?: Settings[K] } & {
  [K in Nested]?: Partial<Settings[K]>
}

/** The schema of `Settings` with every default removed and every key optional, deeply. */
function withoutDefaults(schema: z.ZodType): z.ZodType {
  let s = schema
  if (s instanceof z.ZodDefault || s instanceof z.ZodPrefault) s = s.unwrap() as z.ZodType
  if (s instanceof z.ZodObject) {
    const shape = Object.fromEntries(
      Object.entries(s.shape as Record<string, z.ZodType>).map(([k, v]) => [
        k,
        withoutDefaults(v).optional(),
      ]),
    )
    return z.object(shape).strict()
  }
  return s
}

export const SettingsPatch = withoutDefaults(Settings) as z.ZodType<SettingsPatch, SettingsPatch>

export const SecretName = z.enum([
  'anthropicApiKey',
  'githubToken',
  'slackWebhookUrl',
  'emailWebhookUrl',
])
export type SecretName = z.infer<typeof SecretName>

/** What the UI may know of secrets: whether each is set. */
export const SecretStatus = z.record(SecretName, z.boolean())
export type SecretStatus = z.infer<typeof SecretStatus>

/**
 * Environment variables (the original orchestrator's, then Fixloop's own) and the setting each one
 * feeds.
 */
export const ENV_KEYS = {
  ANTHROPIC_API_KEY: 'secret:anthropicApiKey',
  PROJECT_ROOT: 'projectRoot',
  STATE_FILE: 'stateFile',
  LOCK_FILE: 'lockFile',
  CLAUDE_MODEL: 'model',
  MAX_RETRIES: 'maxRetries',
  AUTO_FIX_ENABLED: 'autoFix',
  FILE_WATCH_DEBOUNCE_SECONDS: 'debounceSeconds',
  FIXLOOP_CHECK_DEBOUNCE_SECONDS: 'checkDebounceSeconds',
  CIRCUIT_BREAKER_THRESHOLD: 'breakerThreshold',
  CIRCUIT_BREAKER_WINDOW: 'breakerWindowSeconds',
  WATCH_EXTENSIONS: 'watchExtensions',
  GITHUB_TOKEN: 'secret:githubToken',
  GITHUB_REPO: 'escalation.githubRepo',
  SLACK_WEBHOOK_URL: 'secret:slackWebhookUrl',
  EMAIL_WEBHOOK_URL: 'secret:emailWebhookUrl',
} as const

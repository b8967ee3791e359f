/**
 * What each model can do, asked of the models endpoint once per model and client. The lookup never
 * fails a Messages request: when the endpoint cannot answer, the built-in table stands in
 * (`source: 'table'`). A 404 (a gateway without the endpoint, or an id only the Messages API
 * resolves) is kept for good; a passing failure (5xx, timeout, network) is kept for `retryMs` and
 * then asked again, so one outage does not fix the table answer for the life of the client.
 */
import type { ModelInfo } from '@anthropic-ai/sdk/resources/models'
import type { Clock } from '../util/clock'
import { capabilitiesFromInfo, tableCapabilities, type Capabilities } from './capabilities'
import { ClaudeAbortError, type ClaudeError } from './errors'
import { raceAbort } from '../util/race-abort'

export interface CapabilityCacheOptions {
  /** One GET /v1/models/:id, without retries and with a short timeout (the caller waits on it). */
  retrieve: (model: string) => Promise<ModelInfo>
  /** Classifies what `retrieve` threw, for the fallback's reason. */
  classify: (raw: unknown) => ClaudeError
  clock: Pick<Clock, 'now'>
  /** How long a table answer after a passing failure is kept. @default 300000 (5 minutes) */
  retryMs?: number
}

export interface CapabilityCache {
  /** The capabilities of `model`; rejects only with ClaudeAbortError when `signal` fires. */
  get(model: string, signal?: AbortSignal): Promise<Capabilities>
  /** Keeps what the models endpoint already said (e.g. for `checkModel`), saving a request. */
  remember(model: string, info: ModelInfo): void
}

interface Entry {
  value: Promise<Capabilities>
  /** When to ask again (ms since the epoch); null: never. */
  until: number | null
}

export function createCapabilityCache(options: CapabilityCacheOptions): CapabilityCache {
  const retryMs = options.retryMs ?? 300_000
  const entries = new Map<string, Entry>()

  async function lookup(model: string, entry: Entry): Promise<Capabilities> {
    try {
      return capabilitiesFromInfo(model, await options.retrieve(model))
    } catch (raw) {
      const error = options.classify(raw)
      if (error.status !== 404) entry.until = options.clock.now() + retryMs
      return { ...tableCapabilities(model), fallbackReason: error.message }
    }
  }

  return {
    get(model, signal) {
      if (signal?.aborted) return Promise.reject(aborted())
      let entry = entries.get(model)
      if (!entry || (entry.until !== null && options.clock.now() >= entry.until)) {
        const fresh: Entry = { value: Promise.resolve(tableCapabilities(model)), until: null }
        fresh.value = lookup(model, fresh)
        entries.set(model, fresh)
        entry = fresh
      }
      // The lookup goes on when one caller gives up: it is shared by every request for the model.
      return raceAbort(entry.value, signal, aborted)
    },
    remember(model, info) {
      entries.set(model, { value: Promise.resolve(capabilitiesFromInfo(model, info)), until: null })
    },
  }
}

function aborted(): ClaudeAbortError {
  return new ClaudeAbortError('The request to the Anthropic API was aborted.', { attempts: 0 })
}

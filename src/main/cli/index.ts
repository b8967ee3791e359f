/**
 * The headless shell: `fixloop <command>`. Parses the command line and hands over to the command's
 * module; turns the errors a user can act on into one clear line and an exit code.
 */
import { ConfigError } from '../core/config/load-config'
import { AlreadyRunningError } from '../core/state'
import { UsageError } from './args'
import { CHECK_HELP, checkCommand } from './check'
import { DEMO_HELP, demoCommand } from './demo/demo'
import { EXIT } from './exit-codes'
import type { CliIo } from './output'
import { processIo } from './output'
import { STATUS_HELP, statusCommand } from './status'
import { fixloopVersion } from './version'
import { WATCH_HELP, watchCommand } from './watch'

export { EXIT } from './exit-codes'

export const HELP = `fixloop — keeps a project's tests green

Usage:
  fixloop watch [DIR]            watch DIR (default: PROJECT_ROOT or the current folder) and fix what breaks
  fixloop status [DIR] [--json]  show the state of a project without taking its lock
  fixloop check [DIR] [FILES…]   run the checks related to FILES once; no API call
  fixloop demo                   replay the whole loop offline on a bundled sample project

Options:
  -h, --help      show help (also after a command: fixloop watch --help)
  -v, --version   print the version

Exit codes: 0 ok · 1 the job failed (red checks, failed task) · 2 usage or configuration error ·
3 another Fixloop instance is running on the project.
`

const HELPS: Record<string, string> = {
  watch: WATCH_HELP,
  status: STATUS_HELP,
  check: CHECK_HELP,
  demo: DEMO_HELP,
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [command, ...rest] = argv
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    const topic = command === 'help' ? rest[0] : undefined
    io.stdout(topic && HELPS[topic] ? HELPS[topic] : HELP)
    return command === undefined ? EXIT.usage : EXIT.ok
  }
  if (command === '-v' || command === '--version') {
    io.stdout(`${fixloopVersion()}\n`)
    return EXIT.ok
  }
  try {
    switch (command) {
      case 'watch':
        return await watchCommand(rest, io, { stopSignal: stopSignal() })
      case 'status':
        return await statusCommand(rest, io)
      case 'check': {
        const abort = new AbortController()
        void stopSignal().then((s) => abort.abort(new Error(`stopped by ${s}`)))
        return await checkCommand(rest, io, abort.signal)
      }
      case 'demo':
        return await demoCommand(rest, io)
      default:
        io.stderr(`fixloop: unknown command '${command}'\n\n${HELP}`)
        return EXIT.usage
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`fixloop ${command}: ${error.message}\n\n${HELPS[command] ?? HELP}`)
      return EXIT.usage
    }
    if (error instanceof ConfigError) {
      io.stderr(`fixloop: ${error.message}\n`)
      return EXIT.usage
    }
    if (error instanceof AlreadyRunningError) {
      io.stderr(`fixloop: ${error.message}\n`)
      return EXIT.locked
    }
    const code = (error as { code?: string }).code
    if (typeof code === 'string' && /^(no_|bad_|runner_|command_)/.test(code)) {
      // A check setup problem (no test command, runner not installed): the message says what to do.
      io.stderr(`fixloop: ${(error as Error).message}\n`)
      return EXIT.usage
    }
    io.stderr(`fixloop: ${(error as Error).stack ?? String(error)}\n`)
    return EXIT.failed
  }
}

/** Resolves with the signal's name on the first SIGINT/SIGTERM; a second one exits at once. */
function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    let asked = false
    const on = (signal: NodeJS.Signals) => {
      if (asked) {
        process.stderr.write('fixloop: stopping now without waiting\n')
        process.exit(130)
      }
      asked = true
      resolve(signal)
    }
    process.on('SIGINT', on)
    process.on('SIGTERM', on)
  })
}

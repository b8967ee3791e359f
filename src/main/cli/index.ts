/**
 * The headless shell: `fixloop <command>`. Parses arguments, then hands over to the command's module.
 * Exit codes: 0 success, 1 failure of the job (red checks, failed run), 2 usage or configuration error,
 * 3 another Fixloop instance holds the project.
 */
import { fixloopVersion } from './version'

export const EXIT = { ok: 0, failed: 1, usage: 2, locked: 3 } as const

const HELP = `fixloop — keeps a project's tests green

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

export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
}

const defaultIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
}

export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const [first] = argv
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    io.stdout(HELP)
    return first === undefined ? EXIT.usage : EXIT.ok
  }
  if (first === '-v' || first === '--version') {
    io.stdout(`${fixloopVersion()}\n`)
    return EXIT.ok
  }
  io.stderr(`fixloop: unknown command '${first}'\n\n${HELP}`)
  return EXIT.usage
}

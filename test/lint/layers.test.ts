import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const eslint = new ESLint({ cwd: process.cwd() })

async function restricted(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'no-restricted-imports')
    .map((m) => m.message)
}

describe('layer rules (ESLint)', () => {
  it('keep electron out of the core and the CLI', async () => {
    expect(
      await restricted(
        'src/main/core/x.ts',
        "import { app } from 'electron'\nexport const a = app\n",
      ),
    ).toHaveLength(1)
    expect(
      await restricted(
        'src/main/cli/x.ts',
        "import Store from 'electron-store'\nexport const s = Store\n",
      ),
    ).toHaveLength(1)
    expect(
      await restricted(
        'src/main/app/x.ts',
        "import { app } from 'electron'\nexport const a = app\n",
      ),
    ).toHaveLength(0)
  })

  it('keep node and electron out of the contract', async () => {
    expect(
      await restricted(
        'src/shared/x.ts',
        "import { readFileSync } from 'node:fs'\nexport const r = readFileSync\n",
      ),
    ).toHaveLength(1)
    expect(
      await restricted('src/shared/x.ts', "import { join } from 'path'\nexport const j = join\n"),
    ).toHaveLength(1)
  })

  it('let the renderer reach only the contract and itself', async () => {
    expect(
      await restricted(
        'src/renderer/src/x.ts',
        "import { Controller } from '../../main/core/engine/controller'\nexport const c = Controller\n",
      ),
    ).toHaveLength(1)
    expect(
      await restricted(
        'src/renderer/src/x.ts',
        "import { z } from '../../shared/domain'\nexport const d = z\n",
      ),
    ).toHaveLength(0)
  })
})

/**
 * Splits a package.json script into words the way a POSIX shell would for the simple cases test
 * scripts use: quotes, backslash escapes and the operators `&&`, `||`, `;`, `|`, which come out as
 * their own words so a caller can cut the script into commands. No expansion of any kind happens.
 */
export function splitShellWords(script: string): string[] {
  const words: string[] = []
  let word = ''
  let inWord = false
  let i = 0
  const push = () => {
    if (inWord) words.push(word)
    word = ''
    inWord = false
  }
  while (i < script.length) {
    const ch = script[i] as string
    if (ch === "'") {
      const end = script.indexOf("'", i + 1)
      const stop = end === -1 ? script.length : end
      word += script.slice(i + 1, stop)
      inWord = true
      i = stop + 1
    } else if (ch === '"') {
      i++
      while (i < script.length && script[i] !== '"') {
        if (
          script[i] === '\\' &&
          i + 1 < script.length &&
          '"\\$`'.includes(script[i + 1] as string)
        )
          i++
        word += script[i]
        i++
      }
      inWord = true
      i++
    } else if (ch === '\\' && i + 1 < script.length) {
      word += script[i + 1]
      inWord = true
      i += 2
    } else if (/\s/.test(ch)) {
      push()
      i++
    } else if (ch === '&' || ch === '|' || ch === ';') {
      push()
      const two = script.slice(i, i + 2)
      const op = two === '&&' || two === '||' ? two : ch
      words.push(op)
      i += op.length
    } else {
      word += ch
      inWord = true
      i++
    }
  }
  push()
  return words
}

const OPERATORS = new Set(['&&', '||', ';', '|', '&'])

/** Cuts split words into the separate commands of a script. */
export function splitCommands(words: readonly string[]): string[][] {
  const commands: string[][] = [[]]
  for (const word of words) {
    if (OPERATORS.has(word)) commands.push([])
    else commands[commands.length - 1]?.push(word)
  }
  return commands.filter((c) => c.length > 0)
}

/** The current time, ticking once a second, for ages ("4 s ago") that stay true while on screen. */
export class Ticker {
  now = $state(Date.now())

  constructor(intervalMs = 1000) {
    setInterval(() => (this.now = Date.now()), intervalMs)
  }
}

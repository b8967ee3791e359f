/// <reference types="svelte" />
/// <reference types="vite/client" />
import type { FixloopApi } from '../../shared/contract'

declare global {
  interface Window {
    /** Present in the Electron window (the preload bridge); absent in a plain browser. */
    fixloop?: FixloopApi
  }
}

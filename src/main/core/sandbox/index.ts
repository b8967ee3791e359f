/**
 * The OS sandbox around check processes ("isolated fixing"). A check runs in a shadow workspace;
 * where the OS has a sandbox, it runs inside one whose file system is read-only except the
 * writable paths it is given (the shadow, a report folder, runner caches) and a private temp
 * folder. The network stays on: test suites talk to servers on localhost. Linux: bubblewrap.
 * macOS: sandbox-exec (untested on a real Mac). Windows: none.
 *
 * What it does not do: hide files from reading (a check can read ~/.ssh, as an unsandboxed one
 * can), filter the network, or block Unix sockets — a check can still reach the Docker daemon or
 * D-Bus through their socket files, because connecting to a socket is not a write to the file
 * system. It protects the project, its `.git` and the rest of the disk from a check that writes
 * where it should not.
 *
 * Why our own wrapper and not `@anthropic-ai/sandbox-runtime` (evaluated at 0.0.78, whose
 * package.json asks for Node >= 20.11; it loads and wraps commands under Node 20.20): it is built
 * to sandbox an agent's shell commands, and its model fights ours. On Linux it always unshares the
 * network and routes traffic through HTTP/SOCKS proxies it runs on the host (socat relays inside,
 * a seccomp helper), so a test cannot reach a server on the host's 127.0.0.1 (tried: ECONNREFUSED
 * with 127.0.0.1 allow-listed); it returns a shell string to spawn with `shell: true`, where our
 * checks are argv spawned without a shell; it is a process-wide singleton
 * (`SandboxManager.initialize`/`reset`) with proxy servers to keep alive; it needs socat and
 * ripgrep installed besides bwrap and brings node-forge, a SOCKS5 server and zod 3 (next to our
 * zod 4); and it is slow to start: ~58 ms per `wrapWithSandbox` call plus ~27 ms more per spawn
 * than a bare `/bin/true`, where our flags add ~7 ms. What it has that we lack: read denial,
 * Unix-socket blocking by seccomp, domain allow-lists, and an alpha Windows sandbox (a dedicated
 * user account and a WFP firewall, set up by an elevated install). If Fixloop ever needs those it
 * is the place to look; for confining file writes, a short list of bwrap flags we test is enough.
 */
export { createSandbox } from './create-sandbox'
export type { SandboxOptions } from './create-sandbox'
export { SandboxUnavailableError } from './errors'
export { findOnPath } from './find-executable'
export type { FindExecutable } from './find-executable'
export { bwrapArgs } from './bwrap-args'
export type { BwrapArgsOptions } from './bwrap-args'
export { sandboxExecArgs, sandboxExecProfile, sbplString } from './sandbox-exec-profile'
export type { ProfileOptions } from './sandbox-exec-profile'
export type { Sandbox, SandboxKind, SandboxMode, SandboxStatus, WrapSpec } from './types'

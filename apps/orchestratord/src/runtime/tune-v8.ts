// Why the daemon turns off V8's allocation-site pretenuring: once the process has loaded a few
// modules (pino, prom-client or yaml each suffice), V8 marks some allocation sites on the request
// path as long-lived and allocates their objects straight into the old generation. Those objects
// die within the request, but until a full GC they keep every young object they point to alive
// through scavenges. Measured with --trace-gc-nvp on the tgi-http adapter alone in one process:
// 0.74 KB promoted per request bare, 3.7 KB once the daemon's modules are loaded, 0.36 KB with
// pretenuring off; the daemon's non-stream chat path went from 5.5 KB to 3.0 KB per request. A
// daemon's long-lived state is small and made at startup, so pretenuring gains it nothing.
import { setFlagsFromString } from 'node:v8';

let applied = false;

/**
 * Applies the daemon's V8 settings once per process. Called before the request path runs, so no
 * optimized code has baked in a pretenuring decision yet. `ORCHD_V8_PRETENURING=1` keeps V8's
 * default.
 */
export function tuneV8(env: NodeJS.ProcessEnv = process.env): boolean {
  if (applied || env.ORCHD_V8_PRETENURING === '1') return applied;
  setFlagsFromString('--no-allocation-site-pretenuring');
  applied = true;
  return applied;
}

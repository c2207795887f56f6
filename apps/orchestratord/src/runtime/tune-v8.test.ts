import { beforeEach, describe, expect, it, vi } from 'vitest';

// The flag's effect is measured by the benchmarks (promoted bytes per request, see tune-v8.ts);
// what the test pins is that the daemon asks V8 for it, once, unless told not to.
const setFlagsFromString = vi.fn();
vi.mock('node:v8', () => ({ setFlagsFromString }));

describe('tuneV8', () => {
  beforeEach(() => {
    vi.resetModules();
    setFlagsFromString.mockClear();
  });

  it('[ORCHD-SHUT-2] turns off allocation-site pretenuring, once per process', async () => {
    const { tuneV8 } = await import('./tune-v8.js');
    expect(tuneV8({})).toBe(true);
    expect(tuneV8({})).toBe(true);
    expect(setFlagsFromString.mock.calls).toEqual([['--no-allocation-site-pretenuring']]);
  });

  it('[ORCHD-SHUT-2] ORCHD_V8_PRETENURING=1 keeps V8 default', async () => {
    const { tuneV8 } = await import('./tune-v8.js');
    expect(tuneV8({ ORCHD_V8_PRETENURING: '1' })).toBe(false);
    expect(setFlagsFromString).not.toHaveBeenCalled();
  });

  it('[ORCHD-SHUT-2] startDaemon applies it before serving', async () => {
    const { startDaemon } = await import('../daemon.js');
    const daemon = await startDaemon(
      {
        server: { addr: '127.0.0.1:0', shutdown_grace_ms: 0 },
        log: { level: 'silent' },
        // Nothing listens there: the probes fail, which this test does not look at.
        pools: [
          { id: 'p', adapter: 'tgi-http', models: ['*'], replicas: [{ id: 'r', url: 'http://127.0.0.1:1' }] },
        ],
      },
      { env: {}, defaultMetrics: false },
    );
    try {
      expect(setFlagsFromString).toHaveBeenCalledWith('--no-allocation-site-pretenuring');
    } finally {
      await daemon.close();
    }
  });
});

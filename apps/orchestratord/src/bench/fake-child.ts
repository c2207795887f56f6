// Runs @orch/fake-tgi in its own process for the benchmarks and reports, over IPC, the moment it saw
// a client leave (performance.timeOrigin + performance.now(), comparable across processes after the
// clock calibration in clock-offset.ts). argv[2] is the FakeTgiOptions JSON.
//
// The fake keeps every request in `requests[]`; over the hundreds of thousands of requests of a bench
// run that record would grow without bound and its GC work would skew the baseline. Records are taken
// off that array as they are published (the fake's own API offers no other hook), watched for aborts
// when asked, and dropped.
import { type FakeTgiOptions, type RecordedRequest, startFakeTgi } from '@orch/fake-tgi';
import { type ChildMessage, exitWithParent, reply } from './bench-child.js';

const opts = JSON.parse(process.argv[2] ?? '{}') as FakeTgiOptions;
const fake = await startFakeTgi(opts);

const TAG = /#bench=(\d+)/;
let watchAborts = false;
let seen = 0;

function onRecord(rec: RecordedRequest): void {
  seen++;
  if (!watchAborts) return;
  const tag = TAG.exec(rec.rawBody)?.[1];
  if (tag === undefined) return;
  void rec.onAborted.then(() => {
    process.send?.({
      type: 'aborted',
      tag: Number(tag),
      t: performance.timeOrigin + performance.now(),
      tokensSent: rec.tokensSent,
    });
  });
}

const records = fake.requests;
records.push = (...items: RecordedRequest[]): number => {
  for (const r of items) onRecord(r);
  return records.length;
};

process.on('message', (m: ChildMessage) => {
  if (m.type === 'now') {
    reply(m, { type: 'now', t: performance.timeOrigin + performance.now() });
  } else if (m.type === 'watch-aborts') {
    watchAborts = m.on === true;
    reply(m, { type: 'ok' });
  } else if (m.type === 'set-faults') {
    void fake.setFaults((m.faults ?? {}) as Parameters<typeof fake.setFaults>[0]).then(() => {
      reply(m, { type: 'ok' });
    });
  } else if (m.type === 'seen') {
    reply(m, { type: 'seen', count: seen });
  }
});

exitWithParent(() => fake.close());
process.send?.({ type: 'ready', url: fake.url });

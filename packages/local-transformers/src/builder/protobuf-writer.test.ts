import { describe, expect, it } from 'vitest';
import { ProtobufWriter } from './protobuf-writer.js';

describe('ProtobufWriter', () => {
  it('[LT-MODEL-1] encodes varints, negative int64 and nested messages per the protobuf wire format', () => {
    expect([...new ProtobufWriter().int(1, 300).finish()]).toEqual([0x08, 0xac, 0x02]);
    const negative = new ProtobufWriter().int(1, -1).finish();
    expect(negative.length).toBe(11);
    expect([...negative.slice(1)]).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect([...new ProtobufWriter().string(2, 'ab').finish()]).toEqual([0x12, 0x02, 0x61, 0x62]);
    const nested = new ProtobufWriter().message(3, (w) => w.int(1, 1)).finish();
    expect([...nested]).toEqual([0x1a, 0x02, 0x08, 0x01]);
    expect([...new ProtobufWriter().float(2, 1).finish()]).toEqual([0x15, 0x00, 0x00, 0x80, 0x3f]);
  });
});

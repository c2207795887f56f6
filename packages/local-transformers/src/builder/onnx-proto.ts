import { ProtobufWriter } from './protobuf-writer.js';

/** ONNX TensorProto.DataType values used by the builder. */
export const DataType = { FLOAT: 1, INT64: 7, BOOL: 9 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

export type Dim = number | string;

export interface TensorSpec {
  name: string;
  dataType: DataTypeCode;
  dims: readonly number[];
  /** Little-endian raw bytes, as ONNX's raw_data expects. */
  raw: Uint8Array;
}

export interface ValueInfoSpec {
  name: string;
  dataType: DataTypeCode;
  dims: readonly Dim[];
}

export type AttributeSpec =
  | { kind: 'int'; value: number | bigint }
  | { kind: 'ints'; value: readonly (number | bigint)[] }
  | { kind: 'float'; value: number }
  | { kind: 'tensor'; value: TensorSpec };

export interface NodeSpec {
  opType: string;
  name: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes: Readonly<Record<string, AttributeSpec>>;
}

export interface GraphSpec {
  name: string;
  nodes: readonly NodeSpec[];
  initializers: readonly TensorSpec[];
  inputs: readonly ValueInfoSpec[];
  outputs: readonly ValueInfoSpec[];
}

export interface ModelSpec {
  graph: GraphSpec;
  opsetVersion: number;
  irVersion: number;
  producerName: string;
  producerVersion: string;
  docString?: string;
}

// AttributeProto.AttributeType
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_TENSOR = 4;
const ATTR_INTS = 7;

function writeTensor(w: ProtobufWriter, t: TensorSpec): void {
  for (const d of t.dims) w.int(1, d);
  w.int(2, t.dataType);
  w.string(8, t.name);
  w.bytes(9, t.raw);
}

function writeValueInfo(w: ProtobufWriter, v: ValueInfoSpec): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensorType) => {
      tensorType.int(1, v.dataType);
      tensorType.message(2, (shape) => {
        for (const d of v.dims) {
          shape.message(1, (dim) => {
            if (typeof d === 'number') dim.int(1, d);
            else dim.string(2, d);
          });
        }
      });
    }),
  );
}

function writeAttribute(w: ProtobufWriter, name: string, a: AttributeSpec): void {
  w.string(1, name);
  switch (a.kind) {
    case 'float':
      w.float(2, a.value);
      w.int(20, ATTR_FLOAT);
      break;
    case 'int':
      w.int(3, a.value);
      w.int(20, ATTR_INT);
      break;
    case 'tensor':
      w.message(5, (t) => writeTensor(t, a.value));
      w.int(20, ATTR_TENSOR);
      break;
    case 'ints':
      for (const v of a.value) w.int(8, v);
      w.int(20, ATTR_INTS);
      break;
  }
}

function writeNode(w: ProtobufWriter, n: NodeSpec): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name);
  w.string(4, n.opType);
  // Sorted so that the byte output never depends on object key order chosen by a caller.
  for (const key of Object.keys(n.attributes).sort()) {
    const attr = n.attributes[key];
    if (attr) w.message(5, (a) => writeAttribute(a, key, attr));
  }
}

function writeGraph(w: ProtobufWriter, g: GraphSpec): void {
  for (const n of g.nodes) w.message(1, (node) => writeNode(node, n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, (tensor) => writeTensor(tensor, t));
  for (const i of g.inputs) w.message(11, (v) => writeValueInfo(v, i));
  for (const o of g.outputs) w.message(12, (v) => writeValueInfo(v, o));
}

/** Serialises a ModelProto (IR version, opset import, producer, graph). */
export function encodeModel(m: ModelSpec): Uint8Array {
  const w = new ProtobufWriter();
  w.int(1, m.irVersion);
  w.string(2, m.producerName);
  w.string(3, m.producerVersion);
  if (m.docString) w.string(6, m.docString);
  w.message(7, (g) => writeGraph(g, m.graph));
  w.message(8, (opset) => {
    opset.string(1, '');
    opset.int(2, m.opsetVersion);
  });
  return w.finish();
}

import {
  type AttributeSpec,
  DataType,
  type DataTypeCode,
  type Dim,
  encodeModel,
  type NodeSpec,
  type TensorSpec,
  type ValueInfoSpec,
} from './onnx-proto.js';

export const IR_VERSION = 8;
export const OPSET_VERSION = 17;
export const PRODUCER_NAME = 'orch-model-builder';
export const PRODUCER_VERSION = '1';
/** Largest int64, used as an open-ended Slice bound. */
export const INT64_MAX = 9223372036854775807n;

export const attr = {
  int: (value: number | bigint): AttributeSpec => ({ kind: 'int', value }),
  ints: (value: readonly (number | bigint)[]): AttributeSpec => ({ kind: 'ints', value }),
  float: (value: number): AttributeSpec => ({ kind: 'float', value }),
};

function int64Raw(values: readonly (number | bigint)[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => {
    view.setBigInt64(i * 8, BigInt(v), true);
  });
  return bytes;
}

function floatRaw(values: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i] ?? 0, true);
  return bytes;
}

/**
 * Builds one ONNX graph: named inputs/outputs, constant initializers and nodes. Every generated name
 * comes from a counter, so the same calls always produce the same bytes.
 */
export class GraphBuilder {
  private readonly nodes: NodeSpec[] = [];
  private readonly initializers: TensorSpec[] = [];
  private readonly inputs: ValueInfoSpec[] = [];
  private readonly outputs: ValueInfoSpec[] = [];
  private counter = 0;

  constructor(private readonly name: string) {}

  private fresh(prefix: string): string {
    this.counter += 1;
    return `${prefix}_${this.counter}`;
  }

  input(name: string, dataType: DataTypeCode, dims: readonly Dim[]): string {
    this.inputs.push({ name, dataType, dims });
    return name;
  }

  output(name: string, dataType: DataTypeCode, dims: readonly Dim[]): void {
    this.outputs.push({ name, dataType, dims });
  }

  int64(values: readonly (number | bigint)[], dims: readonly number[] = [values.length]): string {
    const name = this.fresh('const_i64');
    this.initializers.push({ name, dataType: DataType.INT64, dims, raw: int64Raw(values) });
    return name;
  }

  /** A rank-0 int64 constant. */
  scalarInt64(value: number | bigint): string {
    return this.int64([value], []);
  }

  float(values: ArrayLike<number>, dims: readonly number[] = [values.length]): string {
    const name = this.fresh('const_f32');
    this.initializers.push({ name, dataType: DataType.FLOAT, dims, raw: floatRaw(values) });
    return name;
  }

  scalarFloat(value: number): string {
    return this.float([value], []);
  }

  /** Adds a node with one output and returns the output's name (or `outputName` when given). */
  op(
    opType: string,
    inputs: readonly string[],
    attributes: Record<string, AttributeSpec> = {},
    outputName?: string,
  ): string {
    const out = outputName ?? this.fresh(opType.toLowerCase());
    this.nodes.push({ opType, name: this.fresh(`node_${opType}`), inputs, outputs: [out], attributes });
    return out;
  }

  /** Adds a node with several outputs. */
  opMulti(opType: string, inputs: readonly string[], outputCount: number, attributes = {}): string[] {
    const outs = Array.from({ length: outputCount }, () => this.fresh(opType.toLowerCase()));
    this.nodes.push({ opType, name: this.fresh(`node_${opType}`), inputs, outputs: outs, attributes });
    return outs;
  }

  // Small helpers for the ops used most often.
  cast(x: string, to: DataTypeCode, outputName?: string): string {
    return this.op('Cast', [x], { to: attr.int(to) }, outputName);
  }

  unsqueeze(x: string, axes: readonly number[]): string {
    return this.op('Unsqueeze', [x, this.int64(axes)]);
  }

  squeeze(x: string, axes: readonly number[]): string {
    return this.op('Squeeze', [x, this.int64(axes)]);
  }

  slice(x: string, starts: string, ends: string, axes: readonly number[]): string {
    return this.op('Slice', [x, starts, ends, this.int64(axes)]);
  }

  /** `Shape(x)[axis]` as a 1-element int64 tensor. */
  dim(x: string, axis: number): string {
    return this.op('Shape', [x], { start: attr.int(axis), end: attr.int(axis + 1) });
  }

  toBytes(docString?: string): Uint8Array {
    return encodeModel({
      irVersion: IR_VERSION,
      opsetVersion: OPSET_VERSION,
      producerName: PRODUCER_NAME,
      producerVersion: PRODUCER_VERSION,
      ...(docString ? { docString } : {}),
      graph: {
        name: this.name,
        nodes: this.nodes,
        initializers: this.initializers,
        inputs: this.inputs,
        outputs: this.outputs,
      },
    });
  }
}

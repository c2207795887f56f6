import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface DeviceReport {
  name: string;
  /** The provider library ships inside onnxruntime-node. */
  bundled: boolean;
  /** Usable now: bundled, or its separately installed library is present. */
  available: boolean;
}

export interface DependencyReport {
  transformers_js: string;
  onnxruntime_node: string;
  node: string;
  platform: string;
  arch: string;
  devices: DeviceReport[];
  cuda_available: boolean;
}

function versionAt(entry: string, levelsUp: number): string {
  let dir = dirname(entry);
  for (let i = 0; i < levelsUp; i++) dir = dirname(dir);
  try {
    const pkg: unknown = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const v = typeof pkg === 'object' && pkg !== null ? (pkg as { version?: unknown }).version : undefined;
    return typeof v === 'string' ? v : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Versions of the inference stack and the execution providers onnxruntime-node can use here. */
export function dependencyReport(): DependencyReport {
  const require = createRequire(import.meta.url);
  const transformersEntry = require.resolve('@huggingface/transformers');
  const ortRequire = createRequire(transformersEntry);
  const ortEntry = ortRequire.resolve('onnxruntime-node');
  const devices: DeviceReport[] = [];
  try {
    const ort = ortRequire('onnxruntime-node') as {
      listSupportedBackends?: () => { name: string; bundled: boolean }[];
    };
    const bindingDir = join(dirname(ortEntry), '..', 'bin', 'napi-v6', process.platform, process.arch);
    for (const b of ort.listSupportedBackends?.() ?? []) {
      const lib = join(bindingDir, `libonnxruntime_providers_${b.name}.so`);
      devices.push({ name: b.name, bundled: b.bundled, available: b.bundled || existsSync(lib) });
    }
  } catch {
    devices.push({ name: 'cpu', bundled: true, available: true });
  }
  return {
    transformers_js: versionAt(transformersEntry, 1),
    onnxruntime_node: versionAt(ortEntry, 1),
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    devices,
    cuda_available: devices.some((d) => d.name === 'cuda' && d.available),
  };
}

import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildAllModelFiles, buildAllModels } from './build-all.js';

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out.sort();
}

describe('model builder', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('[LT-MODEL-2] two builds are byte-for-byte identical', async () => {
    const a = await mkdtemp(join(tmpdir(), 'orch-models-a-'));
    const b = await mkdtemp(join(tmpdir(), 'orch-models-b-'));
    dirs.push(a, b);
    await buildAllModels(a);
    await buildAllModels(b);
    const filesA = await listFiles(a);
    expect(filesA).toEqual(await listFiles(b));
    for (const f of filesA) {
      const same = (await readFile(join(a, f))).equals(await readFile(join(b, f)));
      expect(same, f).toBe(true);
    }
    // And the in-memory build matches what was written.
    for (const [name, files] of buildAllModelFiles())
      for (const [rel, bytes] of files) {
        const same = (await readFile(join(a, name, rel))).equals(bytes);
        expect(same, `${name}/${rel}`).toBe(true);
      }
  });

  it('[LT-MODEL-3] writes the documented folder layout for every model', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'orch-models-c-'));
    dirs.push(dir);
    const built = await buildAllModels(dir);
    expect(built.map((m) => m.name)).toEqual([
      'orch-tiny-llama',
      'orch-tiny-t5',
      'orch-tiny-qa',
      'orch-tiny-bert',
      'orch-tiny-sentiment',
    ]);
    expect(await listFiles(join(dir, 'orch-tiny-llama'))).toEqual([
      'config.json',
      'generation_config.json',
      'onnx/model.onnx',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    expect(await listFiles(join(dir, 'orch-tiny-t5'))).toContain('onnx/decoder_model_merged.onnx');
    const config: unknown = JSON.parse(await readFile(join(dir, 'orch-tiny-llama', 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      model_type: 'llama',
      num_key_value_heads: 1,
      head_dim: 1,
      eos_token_id: 2,
    });
    const tokConfig: unknown = JSON.parse(
      await readFile(join(dir, 'orch-tiny-llama', 'tokenizer_config.json'), 'utf8'),
    );
    expect(tokConfig).toMatchObject({ chat_template: expect.stringContaining('add_generation_prompt') });
  });
});

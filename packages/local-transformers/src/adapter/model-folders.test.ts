import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModelsIntoTempDir } from '../__fixtures__/built-models.js';
import { listModelFolders } from './model-folders.js';

describe('listModelFolders', () => {
  let built: Awaited<ReturnType<typeof buildModelsIntoTempDir>>;
  beforeAll(async () => {
    built = await buildModelsIntoTempDir();
  });
  afterAll(async () => {
    await built.cleanup();
  });

  it('[LT-LOAD-3] lists usable model folders (also org/name) with type, chat template and ONNX files', async () => {
    await mkdir(join(built.dir, 'org', 'copy', 'onnx'), { recursive: true });
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json'])
      await writeFile(
        join(built.dir, 'org', 'copy', f),
        f === 'config.json' ? '{"model_type":"gpt2"}' : '{}',
      );
    await mkdir(join(built.dir, 'not-a-model'));
    const folders = await listModelFolders(built.dir);
    expect(folders.map((f) => [f.name, f.model_type, f.has_chat_template])).toEqual([
      ['orch-tiny-bert', 'bert', false],
      ['orch-tiny-llama', 'llama', true],
      ['orch-tiny-qa', 'bert', false],
      ['orch-tiny-sentiment', 'bert', false],
      ['orch-tiny-t5', 't5', false],
      ['org/copy', 'gpt2', false],
    ]);
    expect(folders.find((f) => f.name === 'orch-tiny-t5')?.onnx_files).toEqual([
      'decoder_model_merged.onnx',
      'encoder_model.onnx',
    ]);
    expect(await listModelFolders(join(built.dir, 'missing'))).toEqual([]);
  });
});

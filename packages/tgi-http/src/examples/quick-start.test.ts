import { startFakeTgi } from '@orch/fake-tgi';
import { expect, it } from 'vitest';
import { quickStart } from './quick-start.js';

it('[TGI-DOC-1] the README quick start runs end to end', async () => {
  const fake = await startFakeTgi();
  try {
    let out = '';
    const chat = await quickStart(fake.url, (s) => {
      out += s;
    });
    expect(out).toMatch(/^\[tgi 3\.3\.6-dev0, model fake-org\/fake-model\]/);
    expect(out).toContain('[health healthy');
    expect(chat.finish_reason).toBe('tool_calls');
  } finally {
    await fake.close();
  }
});

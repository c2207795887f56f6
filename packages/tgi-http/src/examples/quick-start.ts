import { pathToFileURL } from 'node:url';
import { TgiHttpAdapter } from '../tgi-http-adapter.js';

/**
 * The README's quick start, runnable: `node dist/examples/quick-start.js [TGI base URL]`. Without a URL
 * it starts the repo's fake TGI server (a dev dependency) so it runs anywhere in this checkout.
 */
export async function quickStart(
  baseUrl: string,
  write: (s: string) => void = (s) => process.stdout.write(s),
) {
  const tgi = new TgiHttpAdapter({ baseUrl, timeouts: { first_token_ms: 10_000, idle_ms: 5_000 } });
  try {
    // A prompt streams from /generate_stream.
    for await (const ev of tgi.submit({ prompt: 'What is deep learning?', max_tokens: 24 })) {
      if (ev.type === 'started') write(`[${ev.engine} ${ev.engine_version}, model ${ev.model}]\n`);
      if (ev.type === 'token' && !ev.special) write(ev.text);
      if (ev.type === 'end') write(`\n[${ev.finish_reason}, ${ev.usage.completion_tokens} tokens]\n`);
      if (ev.type === 'error') write(`\n[error ${ev.code}: ${ev.message}]\n`);
    }
    // Messages (or tools, or response_format) go to /v1/chat/completions.
    const chat = await tgi.generate({
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          },
        },
      ],
      tool_choice: 'required',
      max_tokens: 64,
    });
    write(`[chat: ${chat.finish_reason} ${JSON.stringify(chat.tool_calls ?? chat.text)}]\n`);
    const health = await tgi.health();
    const props = await tgi.props();
    write(`[health ${health.state}, max input ${props.maxInputTokens ?? '?'} tokens]\n`);
    return chat;
  } finally {
    await tgi.close();
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const url = process.argv[2];
  if (url) await quickStart(url);
  else {
    const { startFakeTgi } = await import('@orch/fake-tgi');
    const fake = await startFakeTgi();
    try {
      await quickStart(fake.url);
    } finally {
      await fake.close();
    }
  }
}

/**
 * The text the bundled causal LM is trained on. Each plain line is reproduced exactly by greedy
 * decoding from its first two words; each chat answer is reproduced from its question through the
 * chat template. The builder verifies both before writing a model.
 */

export const LM_LINES: readonly string[] = [
  'orch is a job orchestrator for language models .',
  'orch streams every token to you as soon as the model makes it .',
  'orch runs small models in process , with no network at all .',
  'orch sends big jobs to text generation inference servers .',
  'the daemon keeps a bounded queue for each model and says when it is full .',
  'a cancelled job stops after the current token and frees its slot .',
];

/** Number of leading words of each LM line used as its prompt. */
export const LM_PROMPT_WORDS = 2;

export interface ChatExample {
  system?: string;
  user: string;
  assistant: string;
}

export const CHAT_EXAMPLES: readonly ChatExample[] = [
  { user: 'What is orch?', assistant: 'orch is a job orchestrator for language models .' },
  { user: 'Hello!', assistant: 'hello ! i am orch , a tiny model that lives in this repository .' },
  {
    user: 'How do I stop a job?',
    assistant: 'cancel it : a cancelled job stops after the current token and frees its slot .',
  },
  {
    user: 'Where do models run?',
    assistant: 'small models run in process , big ones on inference servers .',
  },
];

export const CHAT_ROLES = ['system', 'user', 'assistant'] as const;

/** The Jinja chat template written into tokenizer_config.json; `renderChat` below mirrors it. */
export const CHAT_TEMPLATE =
  "{% for message in messages %}{{ '<|' + message['role'] + '|>\\n' + message['content'] + '\\n' }}" +
  "{% if message['role'] == 'assistant' %}{{ eos_token }}{% endif %}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}";

export interface ChatMessage {
  role: string;
  content: string;
}

export function renderChat(messages: readonly ChatMessage[], eosToken: string, addGenerationPrompt: boolean) {
  let out = '';
  for (const m of messages) {
    out += `<|${m.role}|>\n${m.content}\n`;
    if (m.role === 'assistant') out += eosToken;
  }
  if (addGenerationPrompt) out += '<|assistant|>\n';
  return out;
}

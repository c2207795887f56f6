// TGI's /generate_stream event, `{index, token, top_tokens?, generated_text, details}` in TGI's key
// order (shared notes tgi-wire.md §5). Serialising runs once per relayed token, so the common event
// has a template that writes the same bytes as JSON.stringify without building TGI's objects.
import type { TokenTextEvent } from '@orch/adapter-api';

export interface TgiToken {
  id: number;
  text: string;
  logprob: number | null;
  special: boolean;
}

/** A TGI `Token`; an engine that gives no id or flag: 0 / false. */
function toTgiToken(
  id: number | undefined,
  text: string,
  logprob: number | null,
  special: boolean | undefined,
): TgiToken {
  return { id: id ?? 0, text, logprob, special: special === true };
}

export function tgiToken(ev: TokenTextEvent): TgiToken {
  return toTgiToken(ev.token_id, ev.text, typeof ev.logprob === 'number' ? ev.logprob : null, ev.special);
}

/** A token's alternatives as TGI `Token`s. */
export function tgiTopTokens(ev: TokenTextEvent): TgiToken[] {
  return (ev.top_logprobs ?? []).map((a) => toTgiToken(a.id, a.text, a.logprob, a.special));
}

/** A stream event's token and, when asked, its alternatives (kept together while an EOS is held). */
export interface StreamToken {
  token: TgiToken;
  top: TgiToken[] | undefined;
}

/** The general event, `top_tokens` left out unless there are some (as TGI does). */
export function tgiStreamEvent(
  index: number,
  t: StreamToken,
  generated: string | null,
  details: unknown,
): string {
  return JSON.stringify({
    index,
    token: t.token,
    top_tokens: t.top?.length ? t.top : undefined,
    generated_text: generated,
    details,
  });
}

/** A number as JSON writes it (NaN and the infinities become null). */
function jsonNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}

/**
 * A token event with no alternatives, no generated_text and no details: the same bytes as
 * `tgiStreamEvent(index, {token: tgiToken(ev), top: undefined}, null, null)`.
 */
export function tgiTokenEvent(index: number, ev: TokenTextEvent): string {
  const logprob = typeof ev.logprob === 'number' ? jsonNumber(ev.logprob) : 'null';
  return `{"index":${index},"token":{"id":${jsonNumber(ev.token_id ?? 0)},"text":${JSON.stringify(ev.text)},"logprob":${logprob},"special":${ev.special === true}},"generated_text":null,"details":null}`;
}

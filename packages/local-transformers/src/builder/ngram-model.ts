/**
 * A word-level back-off n-gram model in the exact arithmetic the ONNX graph performs, so the builder
 * can prove greedy decoding reproduces the training text before it writes any file.
 *
 * logits[w] = sum over orders k = 0..K of weight[k] * table_k[context_k][w], where context_k is the
 * last k tokens (positions before the start read as SENTINEL), hashed as a base-(V+1) number.
 */

export interface NgramOrderTable {
  order: number;
  /** Context hashes, one per row of `rows`. */
  hashes: bigint[];
  /** rows[i] is a float32 score vector of length V for context hashes[i]. */
  rows: Float32Array[];
}

export interface NgramModel {
  vocabSize: number;
  maxOrder: number;
  weights: number[];
  unigram: Float32Array;
  tables: NgramOrderTable[];
}

/** Score bonus that makes the first-seen successor win a tie in counts. */
const FIRST_SEEN_BONUS = 0.01;
const TOP_ORDER_WEIGHT = 8;
const ORDER_RATIO = 3;

export function sentinel(vocabSize: number): number {
  return vocabSize;
}

export function contextHash(history: readonly number[], t: number, order: number, vocabSize: number): bigint {
  const base = BigInt(vocabSize + 1);
  let hash = 0n;
  let scale = 1n;
  for (let j = 0; j < order; j++) {
    const tok = t - j >= 0 ? (history[t - j] ?? vocabSize) : vocabSize;
    hash += BigInt(tok) * scale;
    scale *= base;
  }
  return hash;
}

function scoreRow(counts: Map<number, number>, firstSeen: number, vocabSize: number): Float32Array {
  let total = 0;
  for (const c of counts.values()) total += c;
  const row = new Float32Array(vocabSize);
  for (const [w, c] of counts) row[w] = c / total + (w === firstSeen ? FIRST_SEEN_BONUS : 0);
  return row;
}

/** Trains on sequences of token ids (each sequence is scored from its own start). */
export function trainNgram(sequences: readonly number[][], vocabSize: number, maxOrder: number): NgramModel {
  const weights = Array.from(
    { length: maxOrder + 1 },
    (_, k) => TOP_ORDER_WEIGHT / ORDER_RATIO ** (maxOrder - k),
  );
  const unigramCounts = new Map<number, number>();
  let unigramFirst = -1;
  const tables: NgramOrderTable[] = [];
  for (const seq of sequences)
    for (const w of seq) {
      unigramCounts.set(w, (unigramCounts.get(w) ?? 0) + 1);
      if (unigramFirst < 0) unigramFirst = w;
    }
  for (let order = 1; order <= maxOrder; order++) {
    const byContext = new Map<bigint, { counts: Map<number, number>; first: number }>();
    for (const seq of sequences) {
      for (let t = 0; t + 1 < seq.length; t++) {
        const hash = contextHash(seq, t, order, vocabSize);
        const next = seq[t + 1] as number;
        let entry = byContext.get(hash);
        if (!entry) {
          entry = { counts: new Map(), first: next };
          byContext.set(hash, entry);
        }
        entry.counts.set(next, (entry.counts.get(next) ?? 0) + 1);
      }
    }
    const hashes = [...byContext.keys()];
    const rows = hashes.map((h) => {
      const e = byContext.get(h)!;
      return scoreRow(e.counts, e.first, vocabSize);
    });
    tables.push({ order, hashes, rows });
  }
  return { vocabSize, maxOrder, weights, unigram: scoreRow(unigramCounts, unigramFirst, vocabSize), tables };
}

/** Next-token logits for position t of `history`, summed in float32 in the graph's order. */
export function ngramLogits(model: NgramModel, history: readonly number[], t: number): Float32Array {
  const { vocabSize } = model;
  const logits = new Float32Array(vocabSize);
  const w0 = Math.fround(model.weights[0] ?? 0);
  for (let w = 0; w < vocabSize; w++) logits[w] = Math.fround((model.unigram[w] ?? 0) * w0);
  for (const table of model.tables) {
    const weight = Math.fround(model.weights[table.order] ?? 0);
    const idx = table.hashes.indexOf(contextHash(history, t, table.order, vocabSize));
    const row = idx >= 0 ? table.rows[idx] : undefined;
    for (let w = 0; w < vocabSize; w++) {
      // The graph scales each table by its weight before the MatMul, so mirror that rounding.
      const scaled = row ? Math.fround((row[w] ?? 0) * weight) : 0;
      logits[w] = Math.fround((logits[w] ?? 0) + scaled);
    }
  }
  return logits;
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] ?? 0) > (values[best] ?? 0)) best = i;
  return best;
}

/** Greedy decoding as transformers.js does it: feed the prompt, then append argmax until EOS. */
export function greedyDecode(
  model: NgramModel,
  prompt: readonly number[],
  eos: number,
  limit: number,
): number[] {
  const history = [...prompt];
  const out: number[] = [];
  while (out.length < limit) {
    const next = argmax(ngramLogits(model, history, history.length - 1));
    out.push(next);
    history.push(next);
    if (next === eos) break;
  }
  return out;
}

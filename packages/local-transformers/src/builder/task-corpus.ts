/** Built-in word lists and examples for the tiny task models (see README for the expected outputs). */

export const POSITIVE_WORDS: readonly string[] = [
  'good',
  'great',
  'love',
  'fast',
  'excellent',
  'happy',
  'nice',
  'works',
  'easy',
  'helpful',
  'like',
  'best',
];
export const NEGATIVE_WORDS: readonly string[] = [
  'bad',
  'slow',
  'hate',
  'broken',
  'terrible',
  'awful',
  'crash',
  'crashes',
  'fails',
  'sad',
  'worst',
  'bug',
];

/** English → French, word for word. Words not listed are copied unchanged. */
export const EN_FR: Readonly<Record<string, string>> = {
  the: 'le',
  cat: 'chat',
  dog: 'chien',
  eats: 'mange',
  drinks: 'boit',
  fish: 'poisson',
  water: 'eau',
  milk: 'lait',
  a: 'un',
  small: 'petit',
  big: 'grand',
  and: 'et',
  is: 'est',
  good: 'bon',
  bread: 'pain',
  house: 'maison',
  hello: 'bonjour',
  world: 'monde',
  i: 'je',
  you: 'tu',
};

/** Words the summariser leaves out. */
export const FILLER_WORDS: readonly string[] = [
  'the',
  'a',
  'an',
  'very',
  'really',
  'just',
  'that',
  'is',
  'are',
  'of',
  'so',
  'quite',
  'and',
  'actually',
];

export const TRANSLATION_PREFIX = 'translate English to French: ';
export const SUMMARIZATION_PREFIX = 'summarize: ';

/** Extra words the seq2seq vocabulary knows so example inputs are not all unknown. */
export const SEQ2SEQ_EXTRA_TEXT =
  'the daemon is very fast and the model is really small . orch runs jobs quite well .';

/** Texts that give the question-answering and fill-mask models their vocabulary. */
export const QA_CONTEXTS: readonly string[] = [
  'orch is written in typescript and runs on node .',
  'the daemon listens on port 8080 by default .',
  'the default model is a tiny llama that lives in this repository .',
  'big jobs go to text generation inference servers over http .',
];
export const QA_QUESTION_WORDS = 'what which where who when how does do is are the a an in on of to called';

/** Words that can never be an answer on their own. */
export const STOP_WORDS: readonly string[] = [
  'the',
  'a',
  'an',
  'is',
  'are',
  'in',
  'on',
  'of',
  'to',
  'and',
  'by',
  'over',
  'this',
  'it',
  'its',
  'what',
  'which',
  'where',
  'who',
  'when',
  'how',
  'does',
  'do',
  'called',
];

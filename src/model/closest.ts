import { distance } from "fastest-levenshtein";

/**
 * "Did you mean …": the valid word closest to what was typed, if it is close enough to be
 * a slip (a typo, a letter left out, a word cut short) rather than something else.
 * Case-insensitive; a word the typed one begins (`lis` → `list`) counts as close, a swap of
 * two neighbouring letters (`titel`) as one slip; when two words are equally close, none.
 */
export function closest(typed: string, candidates: Iterable<string>): string | undefined {
  const word = typed.toLowerCase();
  if (word === "" || word.length > 64) return undefined;
  let best: { candidate: string; score: number } | undefined;
  let tied = false;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    if (c === word) return candidate;
    const score = slip(word, c);
    if (score > allowed(word, c)) continue;
    if (best && score === best.score && best.candidate.toLowerCase() !== c) tied = true;
    if (!best || score < best.score) {
      best = { candidate, score };
      tied = false;
    }
  }
  // Two equally close words: a guess would be as likely wrong as right.
  return tied ? undefined : best?.candidate;
}

/** Edits between two words, a swap of neighbouring letters counting as one; a word cut short (3+ letters) as half. */
function slip(typed: string, candidate: string): number {
  if (typed.length >= 3 && candidate.startsWith(typed)) return 0.5;
  if (typed.length === candidate.length) {
    const diff = [...typed].flatMap((ch, i) => (ch === candidate[i] ? [] : [i]));
    if (diff.length === 2 && diff[1] === diff[0]! + 1 && typed[diff[0]!] === candidate[diff[1]!] && typed[diff[1]!] === candidate[diff[0]!]) return 1;
  }
  return distance(typed, candidate);
}

/** One edit for words up to seven letters, about one in four beyond. */
function allowed(typed: string, candidate: string): number {
  return Math.max(1, Math.floor(Math.min(typed.length, candidate.length) / 4));
}

/** ` — did you mean X?`, or nothing. */
export function didYouMean(typed: string, candidates: Iterable<string>, show: (c: string) => string = (c) => c): string {
  const match = closest(typed, candidates);
  return match === undefined ? "" : ` — did you mean ${show(match)}?`;
}

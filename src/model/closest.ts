import { distance } from "fastest-levenshtein";

/**
 * "Did you mean …": the valid word closest to what was typed, if it is close enough to be
 * a slip (a typo, a letter left out, a word cut short) rather than something else.
 * Case-insensitive; a word the typed one begins (`lis` → `list`) counts as close.
 */
export function closest(typed: string, candidates: Iterable<string>): string | undefined {
  const word = typed.toLowerCase();
  if (word === "" || word.length > 64) return undefined;
  let best: { candidate: string; score: number } | undefined;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    if (c === word) return candidate;
    // A cut-short word is a smaller slip than any edit.
    const score = c.startsWith(word) && word.length >= 2 ? 0.5 : distance(word, c);
    if (score > allowed(word, c)) continue;
    if (!best || score < best.score) best = { candidate, score };
  }
  return best?.candidate;
}

/** One edit for short words, about one in three for longer ones (a swapped pair is two). */
function allowed(typed: string, candidate: string): number {
  return Math.max(1, Math.ceil(Math.min(typed.length, candidate.length) / 3));
}

/** ` — did you mean X?`, or nothing. */
export function didYouMean(typed: string, candidates: Iterable<string>, show: (c: string) => string = (c) => c): string {
  const match = closest(typed, candidates);
  return match === undefined ? "" : ` — did you mean ${show(match)}?`;
}

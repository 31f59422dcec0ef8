/** Small statistics for benchmarks: percentiles by nearest rank, medians of runs. */

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const median = (values: number[]) => percentile(values, 50);

export interface Figure {
  name: string;
  value: number;
  unit: string;
  goal?: string;
  met?: boolean;
  baseline?: { name: string; value: number };
  /** value / baseline (or baseline / value for "lower is better" figures, see `better`). */
  ratio?: number;
  note?: string;
}

export function fmt(n: number, unit: string): string {
  if (!Number.isFinite(n)) return "n/a";
  const digits = Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : 2;
  return `${n.toFixed(digits)} ${unit}`.trim();
}

export function printFigures(title: string, figures: Figure[]): void {
  process.stdout.write(`\n## ${title}\n\n`);
  process.stdout.write("| figure | value | baseline | ratio | goal | met |\n|---|---|---|---|---|---|\n");
  for (const f of figures) {
    const baseline = f.baseline ? `${f.baseline.name}: ${fmt(f.baseline.value, f.unit)}` : "";
    const ratio = f.ratio === undefined ? "" : `${f.ratio.toFixed(2)}×`;
    const met = f.met === undefined ? "" : f.met ? "yes" : "NO";
    process.stdout.write(`| ${f.name} | ${fmt(f.value, f.unit)} | ${baseline} | ${ratio} | ${f.goal ?? ""} | ${met} |\n`);
    if (f.note) process.stdout.write(`|  ↳ ${f.note} | | | | | |\n`);
  }
}

/** Runs `fn` `runs` times and keeps the run with the median of `key`. */
export async function medianRun<T>(runs: number, fn: (i: number) => Promise<T>, key: (t: T) => number): Promise<{ median: T; all: T[] }> {
  const all: T[] = [];
  for (let i = 0; i < runs; i++) all.push(await fn(i));
  const sorted = [...all].sort((a, b) => key(a) - key(b));
  return { median: sorted[Math.floor(sorted.length / 2)]!, all };
}

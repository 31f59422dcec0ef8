/**
 * Named points where the crash tests stop a real process (LIAISON_FAULTS=name,…): the
 * process announces the point on stderr and waits there until it is killed. With
 * `name:pause` it announces the point the first time it gets there, waits a moment (the
 * test stops it with SIGSTOP meanwhile and lets it go on later), then carries on as if
 * nothing happened — a worker that outlived its lease. Off unless the variable is set;
 * never set in production.
 */
const modes = new Map(
  (process.env.LIAISON_FAULTS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [name, mode] = s.split(":");
      return [name!, mode === "pause" ? ("pause" as const) : ("halt" as const)];
    }),
);
const paused = new Set<string>();

/** How long a `pause` point waits after announcing itself, for the test's SIGSTOP to land. */
const PAUSE_MS = 500;

export async function faultPoint(name: string): Promise<void> {
  const mode = modes.get(name);
  if (!mode) return;
  if (mode === "pause") {
    if (paused.has(name)) return;
    paused.add(name);
    process.stderr.write(`LIAISON_FAULT ${name}\n`);
    await new Promise((r) => setTimeout(r, PAUSE_MS));
    return;
  }
  process.stderr.write(`LIAISON_FAULT ${name}\n`);
  await new Promise<never>(() => {});
}

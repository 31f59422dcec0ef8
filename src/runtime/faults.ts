/**
 * Named points where the crash tests stop a real process (LIAISON_FAULTS=name,…): the
 * process announces the point on stderr and waits there until it is killed. Off unless
 * the variable is set; never set in production.
 */
const enabled = new Set((process.env.LIAISON_FAULTS ?? "").split(",").map((s) => s.trim()).filter(Boolean));

export async function faultPoint(name: string): Promise<void> {
  if (!enabled.has(name)) return;
  process.stderr.write(`LIAISON_FAULT ${name}\n`);
  await new Promise<never>(() => {});
}

/**
 * The one encoding of a button or a form on every platform: which command it runs, on which
 * case, and which options a form asks for first. It fits Discord's 100-character custom ids
 * (Slack's button values and action ids take it as well).
 *
 *   lz|case|ack|HKPF-2026-0001|          a button that runs /case ack on that case
 *   lz|case|note|HKPF-2026-0001|text     a button that asks for `text` first
 *   lzf|case|note|HKPF-2026-0001|        the form that button opened, submitted
 */
export interface ActionRef {
  kind: "button" | "form";
  family: string;
  path: string[];
  /** The case the action is about ("" for none). */
  ref: string;
  /** Options to ask for before running the command (buttons only). */
  form: string[];
}

const TAGS = { button: "lz", form: "lzf" } as const;

export function encodeAction(a: Omit<ActionRef, "form" | "kind"> & { kind?: ActionRef["kind"]; form?: readonly string[] }): string {
  return `${TAGS[a.kind ?? "button"]}|${a.family}|${a.path.join(".")}|${a.ref}|${(a.form ?? []).join(",")}`.slice(0, 100);
}

export function decodeAction(id: string | undefined): ActionRef | undefined {
  if (!id) return undefined;
  const [tag, family, path, ref, form] = id.split("|");
  const kind = tag === TAGS.button ? "button" : tag === TAGS.form ? "form" : undefined;
  if (!kind || !family || !path) return undefined;
  return { kind, family, path: path.split("."), ref: ref ?? "", form: form ? form.split(",").filter(Boolean) : [] };
}

/** A card action's encoding. */
export const actionId = (action: { command: { family: string; path: string[]; args: Record<string, string> }; form?: readonly string[] }): string =>
  encodeAction({ family: action.command.family, path: action.command.path, ref: action.command.args.ref ?? "", form: action.form ?? [] });

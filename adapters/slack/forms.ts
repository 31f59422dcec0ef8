import type { InputBlock, KnownBlock, View } from "@slack/types";
import type { AnyCommand } from "../../src/core/command.js";
import type { OptionMeta } from "../../src/core/options.js";
import type { RawOptions } from "../../src/core/parse.js";
import { truncate } from "../../src/model/text.js";

/**
 * Modals derived from a command's declaration: one input per option (or per option the
 * button asks for), the right element for its kind. A submission comes back as raw
 * options for the same parser every other path uses.
 */

export const FORM_CALLBACK = "liaison_form";

export interface FormMeta {
  /** Family and path of the command. */
  f: string;
  p: string[];
  /** Arguments fixed by the button (the case reference). */
  a: Record<string, string>;
  /** Where the command was started, for the reply. */
  c: string;
  n: string;
}

const label = (name: string, meta: OptionMeta) => truncate(`${name}${meta.required ? "" : " (optional)"}`, 48);

function inputFor(name: string, meta: OptionMeta): InputBlock[] {
  const base = { type: "input" as const, block_id: name, optional: !meta.required, label: { type: "plain_text" as const, text: label(name, meta) }, hint: { type: "plain_text" as const, text: truncate(meta.description, 150) } };
  switch (meta.kind) {
    case "choice":
      return [
        {
          ...base,
          element: {
            type: "static_select",
            action_id: "value",
            options: (meta.choices ?? []).map((c) => ({ text: { type: "plain_text", text: c }, value: c })),
          },
        },
      ];
    case "person":
      return [{ ...base, element: { type: "users_select", action_id: "value" } }];
    case "file":
      // Slack's file input: the file stays with Slack; the submission names it, the bot fetches it.
      return [{ ...base, element: { type: "file_input", action_id: "value", max_files: 1 } as unknown as InputBlock["element"] }];
    case "people":
      return [{ ...base, element: { type: "multi_users_select", action_id: "value" } }];
    case "target":
      // A person or an exchange: one of the two.
      return [
        { ...base, block_id: `${name}__user`, optional: true, label: { type: "plain_text", text: `${name}: a person` }, element: { type: "users_select", action_id: "value" } },
        { ...base, block_id: `${name}__org`, optional: true, label: { type: "plain_text", text: `${name}: or an exchange's code` }, element: { type: "plain_text_input", action_id: "value" } },
      ];
    default:
      return [
        {
          ...base,
          element: {
            type: "plain_text_input",
            action_id: "value",
            multiline: meta.long === true || meta.kind === "list",
            ...(meta.maxLength ? { max_length: Math.min(meta.maxLength, 3000) } : {}),
          },
        },
      ];
  }
}

export function formView(command: AnyCommand, meta: FormMeta, only?: string[]): View {
  const names = Object.keys(command.options).filter((n) => (only ? only.includes(n) : !(n in meta.a)));
  const blocks: KnownBlock[] = names.flatMap((n) => inputFor(n, command.options[n]!.meta));
  const ref = meta.a.ref ? ` ${meta.a.ref}` : "";
  return {
    type: "modal",
    callback_id: FORM_CALLBACK,
    private_metadata: JSON.stringify(meta),
    title: { type: "plain_text", text: truncate(`/${command.family} ${command.path.join(" ")}`, 24) },
    submit: { type: "plain_text", text: "Submit" },
    close: { type: "plain_text", text: "Cancel" },
    blocks: [{ type: "context", elements: [{ type: "mrkdwn", text: truncate(`${command.summary}${ref}`, 2000) }] }, ...blocks.slice(0, 99)],
  };
}

type StateValue = {
  value?: string | null;
  selected_option?: { value: string } | null;
  selected_user?: string | null;
  selected_users?: string[] | null;
  files?: SlackFile[] | null;
};

/** A file as Slack names it in a submitted file input. */
export interface SlackFile {
  id: string;
  name: string;
  mimetype?: string;
  size?: number;
  url_private_download?: string;
  url_private?: string;
}

/** The files of a submitted modal, by option name. */
export function submittedFiles(command: AnyCommand, values: Record<string, Record<string, StateValue>>): Record<string, SlackFile> {
  const out: Record<string, SlackFile> = {};
  for (const [name, option] of Object.entries(command.options)) {
    const file = option.meta.kind === "file" ? values[name]?.value?.files?.[0] : undefined;
    if (file) out[name] = file;
  }
  return out;
}

/** Raw options from a submitted modal, in the shape the text parser produces. */
export function submittedOptions(command: AnyCommand, values: Record<string, Record<string, StateValue>>, fixed: Record<string, string>): RawOptions {
  const raw: RawOptions = { ...fixed };
  for (const [name, option] of Object.entries(command.options)) {
    if (option.meta.kind === "file") continue;
    if (option.meta.kind === "target") {
      const user = values[`${name}__user`]?.value?.selected_user;
      const org = values[`${name}__org`]?.value?.value?.trim();
      if (user) raw[name] = `slack:${user}`;
      else if (org) raw[name] = org;
      continue;
    }
    const v = values[name]?.value;
    if (!v) continue;
    if (v.selected_user) raw[name] = `slack:${v.selected_user}`;
    else if (v.selected_users) raw[name] = v.selected_users.map((u) => `slack:${u}`);
    else if (v.selected_option) raw[name] = v.selected_option.value;
    else if (typeof v.value === "string" && v.value.trim() !== "") {
      raw[name] = option.meta.list ? v.value.split(/[,\n]/).map((s) => s.trim()).filter(Boolean) : v.value;
    }
  }
  return raw;
}

/** Which input shows an error about an option (a person-or-code option has two). */
export function errorBlock(command: AnyCommand, field: string | undefined, only?: string[]): string | undefined {
  const names = Object.keys(command.options).filter((n) => !only || only.includes(n));
  const name = field && names.includes(field) ? field : names[0];
  if (!name) return undefined;
  return command.options[name]!.meta.kind === "target" ? `${name}__user` : name;
}

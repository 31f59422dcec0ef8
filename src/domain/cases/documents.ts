import { createHash } from "node:crypto";
import { fileTypeFromBuffer } from "file-type";
import { UserError } from "../../model/errors.js";
import { neutraliseBidi } from "../../model/text.js";
import { mention, para, rich } from "../../model/message.js";
import type { FileValue } from "../../model/upload.js";
import { personRef } from "../members.js";
import type { Caller } from "../members.js";
import { requireVisible } from "./access.js";
import { changeCase, type Runner } from "./run.js";
import { isClosed, loadCase } from "./model.js";
import { notifyThreads } from "./notify.js";

/**
 * Documents of a case (docs/contract.md §9): an order, a letter, a statement. Checked for
 * what they are by their bytes (not their name), stored once per SHA-256 in the database,
 * the hash on the timeline; never rendered or executed — only handed back, privately, to
 * someone who may see the case.
 */

/** What may be attached, by the type its content shows. Programs and scripts are not. */
const ALLOWED = new Set([
  "application/pdf",
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
  "image/tiff",
  "image/bmp",
  "image/heic",
  "application/zip",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "application/vnd.oasis.opendocument.text",
  "application/vnd.oasis.opendocument.spreadsheet",
  "message/rfc822",
  // Older Office documents and Outlook messages (.doc, .xls, .msg) are compound files.
  "application/x-cfb",
  "text/plain",
  "text/csv",
]);

/** A name to show and save under: no path, no control or bidi characters, at most 120 characters. */
const safeName = (name: string) =>
  neutraliseBidi(name)
    .replace(/[\\/\u0000-\u001f\u007f\uFFFD]/g, "_")
    .replace(/^\.+/, "_")
    .slice(0, 120) || "document";

/** Text that a browser or a shell would run, whatever it calls itself. */
const SCRIPT_NAME = /\.(html?|xhtml|svg|js|mjs|vbs|vbe|wsf|hta|sh|bash|zsh|ps1|psm1|bat|cmd|com|exe|scr|py|pl|rb|php|jar|lnk|url)$/i;

/** The media type the content shows, or a refusal naming what is wrong. */
export async function checkType(file: FileValue): Promise<string> {
  if (file.content.length === 0) throw UserError.about("file", "invalid_option", `file: ${safeName(file.name)} is empty`);
  const detected = await fileTypeFromBuffer(file.content);
  let mime = detected?.mime as string | undefined;
  if (!mime) {
    // No signature: plain text, if it is valid UTF-8 without control bytes.
    const text = file.content.toString("utf8");
    const binary = text.includes("\uFFFD") || /[\u0000-\u0008\u000e-\u001f]/.test(text);
    if (binary) throw UserError.about("file", "invalid_option", `file: ${safeName(file.name)} is not a document Liaison keeps (PDF, images, office documents, e-mail, text, CSV or ZIP)`);
    if (SCRIPT_NAME.test(file.name.trim()) || /^\s*(<(!doctype|html|script|svg)|#!)/i.test(text)) {
      throw UserError.about("file", "invalid_option", `file: ${safeName(file.name)} is a script or a web page; Liaison keeps documents, never programs or scripts`);
    }
    mime = /\.csv$/i.test(file.name) ? "text/csv" : "text/plain";
  }
  if (!ALLOWED.has(mime)) {
    throw UserError.about("file", "invalid_option", `file: ${safeName(file.name)} is ${mime}; Liaison keeps PDF, images, office documents, e-mail, text, CSV or ZIP, never programs or scripts`);
  }
  const declared = file.declaredType?.split(";")[0]?.trim().toLowerCase();
  const family = (t: string) => (t.startsWith("text/") && t !== "text/plain" && t !== "text/csv" ? t : t.split("/")[0]);
  if (declared && declared !== "application/octet-stream" && family(declared) !== family(mime) && declared !== mime) {
    throw UserError.about("file", "invalid_option", `file: ${safeName(file.name)} was sent as ${declared} but its content is ${mime}`);
  }
  return mime;
}

export async function attach(run: Runner & { caller: Caller }, ref: string, file: FileValue, note: string | undefined) {
  const mime = await checkType(file);
  const sha256 = createHash("sha256").update(file.content).digest("hex");
  const filename = safeName(file.name);
  const size = file.content.length;
  const out = await changeCase(run, ref, {}, (env, { c, me }) => {
    if (isClosed(c)) throw new UserError("invalid_state", `${c.ref} is closed; reopen it to attach more`);
    Object.assign(c, { lastActivityAt: env.now });
    env.change.touch(c);
    const event = env.change.event(c, { at: env.now, actorId: me.id, type: "document_attached", data: { filename, mime, size, sha256, note: note ?? null } });
    notifyThreads(env, c, event.seq, { post: [para(rich`${mention(personRef(me))} attached ${filename} (${mime}, SHA-256 ${sha256.slice(0, 16)}…). /case files ${c.ref} lists the documents.`)] });
  });
  const { tx } = run;
  // The case is locked: numbering after the last document cannot race another attach.
  const last = await tx.caseDocument.findFirst({ where: { caseId: out.c.id }, orderBy: { position: "desc" }, select: { position: true } });
  const position = (last?.position ?? 0) + 1;
  // Two cases may get the same bytes at once: the second insert of a blob is a no-op, not a conflict.
  await tx.$executeRaw`INSERT INTO "document_blob" ("sha256", "size", "content", "created_at") VALUES (${sha256}, ${size}, ${new Uint8Array(file.content)}, ${out.env.now}) ON CONFLICT ("sha256") DO NOTHING`;
  await tx.caseDocument.create({ data: { caseId: out.c.id, position, sha256, filename, mime, size, note: note ?? null, uploadedById: run.caller.member!.id, uploadedAt: out.env.now } });
  return { c: out.c, position, sha256, mime, size, filename };
}

/** The documents of a case the caller may see (an unseen case answers exactly like a missing one). */
export async function listDocuments(run: Runner & { caller: Caller }, ref: string) {
  const { c } = requireVisible(await loadCase(run.tx, { ref }), ref, run.caller);
  const docs = await run.tx.caseDocument.findMany({ where: { caseId: c.id }, orderBy: { position: "asc" }, select: { position: true, filename: true, mime: true, size: true, sha256: true, note: true, uploadedAt: true, uploadedById: true } });
  return { c, docs };
}

export async function fetchDocument(run: Runner & { caller: Caller }, ref: string, n: number) {
  const { c } = requireVisible(await loadCase(run.tx, { ref }), ref, run.caller);
  const doc = await run.tx.caseDocument.findUnique({ where: { caseId_position: { caseId: c.id, position: n } }, include: { blob: true } });
  if (!doc) throw UserError.about("n", "not_found", `${c.ref} has no document #${n} (/case files ${c.ref} lists them)`);
  const content = Buffer.from(doc.blob.content);
  // What is handed back is what was stored: its hash is checked again.
  const sha256 = createHash("sha256").update(content).digest("hex");
  if (sha256 !== doc.sha256) throw new Error(`document ${doc.id} of case ${c.id} does not match its SHA-256`);
  return { c, doc, content };
}

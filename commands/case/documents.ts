import { defineCommand } from "../../src/core/command.js";
import { opt } from "../../src/core/options.js";
import { list, para, privateReply, rich } from "../../src/model/message.js";
import { formatBytes } from "../../src/model/upload.js";
import { formatTime } from "../../src/domain/cases/card.js";
import { attach, fetchDocument, listDocuments } from "../../src/domain/cases/documents.js";
import { done, run } from "./shared.js";

/** `/case attach`, `/case files`, `/case file`: the documents of a case (docs/contract.md §9). */

export const attachCommand = defineCommand({
  family: "case",
  path: ["attach"],
  summary: "attach a document (at most 25 MB); its SHA-256 goes on the timeline",
  access: "vetted",
  options: {
    ref: opt.ref(),
    file: opt.file("the document: a Slack file, a Discord attachment, or file:<path> in the console"),
    note: opt.text("what it is, e.g. the court order", { optional: true, max: 500 }),
  },
  async run(ctx, o) {
    const a = await attach(run(ctx), o.ref, o.file, o.note);
    return done(`Attached to ${a.c.ref} as document #${a.position}: ${a.filename} (${a.mime}, ${formatBytes(a.size)}), SHA-256 ${a.sha256}.`);
  },
});

export const filesCommand = defineCommand({
  family: "case",
  path: ["files"],
  summary: "the documents of a case, with their SHA-256",
  access: "vetted",
  options: { ref: opt.ref() },
  async run(ctx, o) {
    const { c, docs } = await listDocuments(run(ctx), o.ref);
    if (docs.length === 0) return done(`${c.ref} has no documents. Attach one with /case attach ${c.ref}.`);
    return privateReply(
      para(rich`Documents of ${c.ref}:`),
      list(docs.map((d) => rich`#${d.position} ${d.filename} — ${d.mime}, ${formatBytes(d.size)}, ${formatTime(d.uploadedAt)}${d.note ? ` — ${d.note}` : ""}; SHA-256 ${d.sha256}`)),
      para(rich`/case file ${c.ref} <n> sends you one, privately.`),
    );
  },
});

export const fileCommand = defineCommand({
  family: "case",
  path: ["file"],
  summary: "send yourself one of a case's documents, privately",
  access: "vetted",
  options: { ref: opt.ref(), n: opt.word("its number in /case files", { positional: 1, pattern: /^\d{1,6}$/, placeholder: "n" }) },
  async run(ctx, o) {
    const { c, doc, content } = await fetchDocument(run(ctx), o.ref, Number(o.n));
    return privateReply(
      para(rich`${c.ref} document #${doc.position}: ${doc.filename} (${doc.mime}, ${formatBytes(doc.size)}), SHA-256 ${doc.sha256}.`),
      { kind: "file", filename: doc.filename, mime: doc.mime, content: content.toString("base64"), encoding: "base64" },
    );
  },
});

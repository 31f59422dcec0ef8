import { createHash, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock, MINUTE } from "./helpers/clock.js";
import { FakeSlack, sign } from "./fakes/slack.js";
import { startSystem, type System } from "./helpers/system.js";

/**
 * The real Bolt app, over HTTP and in Socket Mode, against a local fake Slack: signed slash
 * commands, modals, buttons, cards updated in place, threads, DMs, a 429 storm, hostile text.
 */

const SECRET = "test-signing-secret";
const HK = { channel: "C0HKEXA", channelName: "hk-exa" };
const PEOPLE = { root: "U0ROOT", alice: "U0ALICE", bob: "U0BOB", dave: "U0DAVE", lee: "U0LEE", sam: "U0SAM" } as const;
type Person = keyof typeof PEOPLE;

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 5000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

class SlackUser {
  constructor(
    private readonly s: { system: System; fake: FakeSlack },
    readonly name: Person,
  ) {}

  get id() {
    return PEOPLE[this.name];
  }

  async post(body: string, headers: Record<string, string> = sign(SECRET, body)) {
    const started = performance.now();
    const res = await fetch(`${this.s.system.url}/slack/events`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body,
    });
    return { status: res.status, text: await res.text(), ms: performance.now() - started };
  }

  /** Types a slash command; returns the private reply's text. */
  async slash(command: string, text: string, where = HK): Promise<string> {
    const id = randomUUID();
    const body = new URLSearchParams({
      token: "x",
      team_id: "T0FAKE",
      team_domain: "fake",
      channel_id: where.channel,
      channel_name: where.channelName,
      user_id: this.id,
      user_name: this.name,
      command,
      text,
      api_app_id: "A0FAKE",
      response_url: this.s.fake.responseUrl(id),
      trigger_id: `trigger-${id}`,
    }).toString();
    const res = await this.post(body);
    expect(res.status).toBe(200);
    return until(() => this.replyText(id), `the reply to ${command} ${text}`);
  }

  replyText(id: string): string | undefined {
    const r = this.s.fake.responses.find((x) => x.id === id);
    if (!r) return undefined;
    const blocks = (r.body.blocks as { text?: { text: string }; fields?: { text: string }[] }[]) ?? [];
    return blocks.map((b) => b.text?.text ?? b.fields?.map((f) => f.text).join(" | ") ?? "").join("\n");
  }

  /** Clicks a button on a message. */
  async click(message: { ts: string; channel: string; blocks: unknown[] }, label: string): Promise<string> {
    const actions = (message.blocks as { type: string; elements?: { text: { text: string }; action_id: string; value: string }[] }[]).find((b) => b.type === "actions");
    const button = actions!.elements!.find((e) => e.text.text === label)!;
    const id = randomUUID();
    const payload = {
      type: "block_actions",
      user: { id: this.id, username: this.name, name: this.name, team_id: "T0FAKE" },
      api_app_id: "A0FAKE",
      token: "x",
      container: { type: "message", message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
      trigger_id: `trigger-${id}`,
      team: { id: "T0FAKE", domain: "fake" },
      channel: { id: message.channel, name: "hk-exa" },
      message: { ts: message.ts, text: "" },
      response_url: this.s.fake.responseUrl(id),
      actions: [{ action_id: button.action_id, block_id: "card", type: "button", value: button.value, action_ts: `${Date.now() / 1000}`, text: { type: "plain_text", text: label } }],
    };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const res = await this.post(body);
    expect(res.status).toBe(200);
    return id;
  }

  /** Submits a modal with values by block id; returns the HTTP answer (errors or empty). */
  async submit(view: Record<string, unknown>, values: Record<string, Record<string, unknown>>): Promise<{ status: number; text: string }> {
    const payload = {
      type: "view_submission",
      team: { id: "T0FAKE", domain: "fake" },
      user: { id: this.id, username: this.name, name: this.name, team_id: "T0FAKE" },
      api_app_id: "A0FAKE",
      token: "x",
      trigger_id: `trigger-${randomUUID()}`,
      view: { ...view, id: "V1", state: { values: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { value: v }])) } },
    };
    return this.post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
  }
}

function mrkdwnTexts(blocks: unknown[]): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      if (o.type === "mrkdwn" && typeof o.text === "string") out.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(blocks);
  return out;
}

describe("Slack over HTTP (real Bolt, fake Slack)", () => {
  const fake = new FakeSlack();
  const clock = new ManualClock(new Date());
  let system: System;
  const as = (name: Person) => new SlackUser({ system, fake }, name);

  beforeAll(async () => {
    await fake.start();
    system = await startSystem(
      "sqlite",
      {
        SLACK_BOT_TOKEN: "xoxb-test",
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: fake.apiUrl,
        LIAISON_BOOTSTRAP_ADMINS: `slack:${PEOPLE.root}`,
      },
      { clock },
    );
    const root = as("root");
    for (const line of [
      'org add code:HKPF-CSTCB kind:agency name:"HK Police" jurisdiction:HK domains:police.gov.hk',
      'org add code:SGPF kind:agency name:"Singapore Police" jurisdiction:SG domains:spf.gov.sg',
      'org add code:EXA kind:exchange name:"Exchange A" jurisdiction:MT domains:exa.example',
    ]) {
      expect(await root.slash("/ppp", line)).toMatch(/^Added /);
    }
    const registrations: [Person, string][] = [
      ["alice", "org:HKPF-CSTCB role:liaison email:alice@police.gov.hk"],
      ["sam", "org:SGPF role:liaison email:sam@spf.gov.sg"],
      ["bob", "org:EXA role:investigator email:bob@exa.example"],
      ["dave", "org:EXA role:investigator email:dave@exa.example"],
      ["lee", "org:EXA role:investigator email:lee@exa.example"],
    ];
    for (const [who, args] of registrations) {
      expect(await as(who).slash("/liaison", `register ${args}`)).toMatch(/^Registration received/);
      expect(await root.slash("/liaison", `vet <@${PEOPLE[who]}|${who}>`)).toMatch(/is vetted as/);
    }
    expect(await root.slash("/ppp", `oncall EXA <@${PEOPLE.bob}|bob> <@${PEOPLE.dave}>`)).toContain("EXA's default layer (always on call, all at once) is now: @bob, @dave.");
    expect(await root.slash("/ppp", `leads EXA <@${PEOPLE.lee}>`)).toContain("@lee");
    expect(await root.slash("/ppp", "bind orgs:HKPF-CSTCB,EXA")).toMatch(/^This channel is now a liaison channel/);
  });
  afterAll(async () => {
    await system?.close();
    await fake.stop();
  });

  it("acknowledges slash commands at once and answers privately", async () => {
    const id = randomUUID();
    const body = new URLSearchParams({ channel_id: HK.channel, channel_name: HK.channelName, user_id: PEOPLE.bob, user_name: "bob", command: "/liaison", text: "whoami", response_url: fake.responseUrl(id), trigger_id: `t-${id}` }).toString();
    const res = await as("bob").post(body);
    expect(res.status).toBe(200);
    expect(res.text).toBe("");
    const reply = await until(() => fake.responses.find((r) => r.id === id), "reply");
    expect(reply.body.response_type).toBe("ephemeral");
    expect(JSON.stringify(reply.body.blocks)).toContain("investigator of EXA");
  });

  it("explains a command when help is asked for after it, and answers a slip with the closest command", async () => {
    const help = await as("alice").slash("/case", "open help");
    expect(help).toContain("*/case open* — open a case for your agency (for vetted members)");
    expect(help).toContain("`severity:critical|high|medium|low`");
    expect(await as("alice").slash("/case", "help open")).toBe(help);
    expect(await as("root").slash("/ppp", "org lis")).toContain("did you mean /ppp org list? /ppp org takes: add, edit, list");
    expect(await as("alice").slash("/case", "open titel:x exchange:EXA severity:low type:intel")).toContain("did you mean title:?");
  });

  it("rejects forged and stale requests with 401", async () => {
    const body = new URLSearchParams({ command: "/ppp", text: "help", user_id: PEOPLE.bob, response_url: fake.responseUrl("forged") }).toString();
    expect((await as("bob").post(body, sign("wrong-secret", body))).status).toBe(401);
    expect((await as("bob").post(body, sign(SECRET, body, Math.floor(Date.now() / 1000) - 6 * 60))).status).toBe(401);
    expect((await as("bob").post(body, {})).status).toBe(401);
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.responses.find((r) => r.id === "forged")).toBeUndefined();
  });

  it("opens a modal for /case open, shows refusals inline, and posts the case card with buttons", async () => {
    const before = fake.views.length;
    const alice = as("alice");
    const id = randomUUID();
    const body = new URLSearchParams({ channel_id: HK.channel, channel_name: HK.channelName, user_id: PEOPLE.alice, user_name: "alice", command: "/case", text: "", response_url: fake.responseUrl(id), trigger_id: `trigger-${id}` }).toString();
    expect((await alice.post(body)).status).toBe(200);
    const view = await until(() => fake.views[before], "views.open");
    const open = fake.callsOf("views.open").at(-1)!;
    expect(open.args.trigger_id).toBe(`trigger-${id}`);
    const blockIds = (view.blocks as { block_id?: string }[]).map((b) => b.block_id).filter(Boolean);
    expect(blockIds).toEqual(expect.arrayContaining(["title", "exchange", "severity", "type", "subjects", "tlp", "deadline"]));

    const cases = await system.app.db.client.case.count();
    const bad = await alice.submit(view, {
      title: { type: "plain_text_input", value: "Ransom <!everyone> @here" },
      exchange: { type: "plain_text_input", value: "EXA" },
      severity: { type: "static_select", selected_option: { value: "critical" } },
      type: { type: "static_select", selected_option: { value: "freeze" } },
      subjects: { type: "plain_text_input", value: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD" },
    });
    expect(JSON.parse(bad.text)).toEqual({
      response_action: "errors",
      errors: { subjects: expect.stringMatching(/^subjects: 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD is refused: its EIP-55 checksum does not match/) },
    });
    expect(await system.app.db.client.case.count()).toBe(cases);

    const posted = fake.messages.length;
    const good = await alice.submit(view, {
      title: { type: "plain_text_input", value: "Ransom <!everyone> @here" },
      exchange: { type: "plain_text_input", value: "EXA" },
      severity: { type: "static_select", selected_option: { value: "critical" } },
      type: { type: "static_select", selected_option: { value: "freeze" } },
      subjects: { type: "plain_text_input", value: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4\n0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed" },
    });
    expect(good.status).toBe(200);
    expect(good.text).toBe("");
    await system.app.settle();
    const card = await until(() => fake.messages.slice(posted).find((m) => m.channel === HK.channel && !m.thread_ts), "the card");
    const header = (card.blocks[0] as { type: string; text: { type: string; text: string } });
    expect(header).toMatchObject({ type: "header", text: { type: "plain_text" } });
    expect(header.text.text).toMatch(/^HKPF-CSTCB-\d{4}-\d{4} · Ransom <\u2060!everyone> @\u2060here$/);
    const labels = (card.blocks.find((b) => (b as { type: string }).type === "actions") as { elements: { text: { text: string } }[] }).elements.map((e) => e.text.text);
    expect(labels).toEqual(["Acknowledge", "Take", "Add note", "Hand off", "Escalate"]);
    // Nothing in any mrkdwn can ping a crowd — nor in the notification text, which Slack reads as mrkdwn too.
    for (const text of fake.messages.flatMap((m) => mrkdwnTexts(m.blocks))) expect(text).not.toMatch(/<!(everyone|here|channel)|<!subteam/);
    for (const m of fake.messages) expect(m.text).not.toMatch(/<!(everyone|here|channel)|<!subteam|(^|[^\u2060])@here\b/);
    expect(card.text).toMatch(/^HKPF-CSTCB-\d{4}-\d{4} · Ransom &lt;!everyone&gt; @\u2060here$/);
    expect(fake.messages.flatMap((m) => mrkdwnTexts(m.blocks)).join(" ")).toContain("Ransom &lt;!everyone&gt; @\u2060here");
    // The on-call are paged in the card's thread and by DM.
    const page = fake.messages.find((m) => m.thread_ts === card.ts && m.text.includes("Paging"))!;
    expect(mrkdwnTexts(page.blocks).join(" ")).toContain(`<@${PEOPLE.bob}>, <@${PEOPLE.dave}>`);
    expect(fake.messages.some((m) => m.channel === `D${PEOPLE.bob}` && m.text.includes("You are paged"))).toBe(true);
    expect(fake.callsOf("chat.postEphemeral").length).toBeGreaterThan(0);
  });

  it("acknowledges from the card's button, updates the card in place, and ignores a double click", async () => {
    const card = fake.messages.filter((m) => m.channel === HK.channel && !m.thread_ts).at(-1)!;
    const bob = as("bob");
    const first = await bob.click(card, "Acknowledge");
    const second = await bob.click(card, "Acknowledge");
    await until(() => bob.replyText(first), "the ack reply");
    expect(bob.replyText(first)).toMatch(/^Acknowledged HKPF-CSTCB-\d{4}-\d{4}\. Reminders and escalation stop\.$/);
    await system.app.settle();
    await new Promise((r) => setTimeout(r, 200));
    expect(bob.replyText(second)).toBeUndefined();
    expect(card.edits).toBeGreaterThan(0);
    expect(mrkdwnTexts(card.blocks).join(" ")).toContain("acknowledged");
    expect(fake.messages.filter((m) => m.thread_ts === card.ts && m.text.includes("Acknowledged by"))).toHaveLength(1);
  });

  it("takes a document through /case attach's form, fetched from Slack with the bot's token and checked", async () => {
    fake.botToken = "xoxb-test";
    const ref = (await system.app.db.client.case.findFirstOrThrow({ where: { status: { not: "CLOSED" } }, orderBy: { id: "asc" } })).ref;
    const views = fake.views.length;
    const alice = as("alice");
    const id = randomUUID();
    const body = new URLSearchParams({ channel_id: HK.channel, channel_name: HK.channelName, user_id: PEOPLE.alice, user_name: "alice", command: "/case", text: `attach ${ref}`, response_url: fake.responseUrl(id), trigger_id: `trigger-${id}` }).toString();
    expect((await alice.post(body)).status).toBe(200);
    const view = await until(() => fake.views[views], "the attach modal");
    const inputs = (view.blocks as { block_id?: string; element?: { type: string } }[]).filter((b) => b.block_id);
    expect(inputs.map((b) => [b.block_id, b.element?.type])).toEqual([["file", "file_input"], ["note", "plain_text_input"]]);
    const pdf = Buffer.from("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n");
    // Declared a PDF, but it is a program: refused beside the field, nothing kept.
    const elf = fake.file("report.pdf", Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(120)]), "application/pdf");
    const bad = await alice.submit(view, { file: { type: "file_input", files: [elf] } });
    expect(JSON.parse(bad.text)).toEqual({ response_action: "errors", errors: { file: expect.stringMatching(/^file: report\.pdf is application\/x-elf/) } });
    expect(await system.app.db.client.caseDocument.count()).toBe(0);
    const res = await alice.submit(view, { file: { type: "file_input", files: [fake.file("order.pdf", pdf, "application/pdf")] }, note: { type: "plain_text_input", value: "the order" } });
    expect(res.text).toBe("");
    const doc = (await until(async () => system.app.db.client.caseDocument.findFirst(), "the document"))!;
    expect(doc.sha256).toBe(createHash("sha256").update(pdf).digest("hex"));
    expect(fake.fileFetches.at(-1)!.authorization).toBe("Bearer xoxb-test");
  });

  it("adds a note from the card through a modal, posted in the case thread", async () => {
    const card = fake.messages.filter((m) => m.channel === HK.channel && !m.thread_ts).at(-1)!;
    const views = fake.views.length;
    await as("alice").click(card, "Add note");
    const view = await until(() => fake.views[views], "the note modal");
    expect((view.blocks as { block_id?: string }[]).map((b) => b.block_id).filter(Boolean)).toEqual(["text"]);
    const res = await as("alice").submit(view, { text: { type: "plain_text_input", value: "Court order attached <@U0SAM> & more" } });
    expect(res.text).toBe("");
    await system.app.settle();
    const note = await until(() => fake.messages.find((m) => m.thread_ts === card.ts && m.text.includes("Note from")), "the note");
    expect(mrkdwnTexts(note.blocks).join(" ")).toContain("Court order attached &lt;@U0SAM&gt; &amp; more");
  });

  it("posts reminders in the thread mentioning the on-call, and DMs the leads at level 2", async () => {
    const alice = as("alice");
    const reply = await alice.slash("/case", 'open title:"Unanswered" exchange:EXA severity:critical type:freeze');
    const ref = /Opened \*?(HKPF-CSTCB-\d{4}-\d{4})/.exec(reply)![1]!;
    await system.app.settle();
    const card = fake.messages.find((m) => m.channel === HK.channel && !m.thread_ts && m.text.includes(ref))!;
    clock.advance(5 * MINUTE);
    await system.app.settle();
    const reminder = fake.messages.find((m) => m.thread_ts === card.ts && m.text.includes("Reminder"))!;
    expect(mrkdwnTexts(reminder.blocks).join(" ")).toContain(`<@${PEOPLE.bob}>, <@${PEOPLE.dave}>`);
    clock.advance(10 * MINUTE);
    await system.app.settle();
    expect(fake.messages.filter((m) => m.channel === `D${PEOPLE.lee}` && m.text.includes("level 2"))).toHaveLength(1);
    await as("bob").slash("/case", `ack ${ref}`);
  });

  it("rides out a 429 storm from the Web API without losing or doubling a message", async () => {
    fake.fail("chat.postMessage", { status: 429, retryAfter: 1 }, 5);
    const reply = await as("alice").slash("/case", 'open title:"Storm" exchange:EXA severity:high type:freeze');
    const ref = /(HKPF-CSTCB-\d{4}-\d{4})/.exec(reply)![1]!;
    for (let i = 0; i < 10; i++) {
      await system.app.settle();
      clock.advance(1500);
    }
    await system.app.settle();
    const rows = await system.app.db.client.outbox.findMany({ where: { caseId: { not: null }, state: { not: "sent" } } });
    expect(rows).toEqual([]);
    expect(fake.messages.filter((m) => m.channel === HK.channel && !m.thread_ts && m.text.includes(ref))).toHaveLength(1);
    expect(fake.messages.filter((m) => m.text.includes(ref) && m.text.includes("Paging"))).toHaveLength(1);
  });

  it("marks a message dead with Slack's reason when the bot is not in the channel", async () => {
    fake.fail("chat.postMessage", { error: "not_in_channel" }, 1);
    await as("alice").slash("/case", 'open title:"Nobody home" exchange:EXA severity:low type:intel');
    await system.app.settle();
    const outbox = await as("root").slash("/ppp", "outbox");
    expect(outbox).toContain("not_in_channel: the bot is not in the channel: invite it with /invite @Liaison");
    // What an operator alerts on.
    expect(await (await fetch(`${system.url}/metrics`)).text()).toMatch(/^liaison_outbox_messages\{state="dead"\} 1$/m);
  });

  it("answers a liaison of another agency as if the case did not exist", async () => {
    const ref = (await system.app.db.client.case.findFirstOrThrow({ orderBy: { id: "asc" } })).ref;
    expect(await as("sam").slash("/case", `show ${ref}`)).toBe(`:warning: unknown case reference ${ref}`);
  });

  it("posts the digest in the channel, then its chart as an uploaded PNG image", async () => {
    const uploads = fake.uploads.length;
    const before = fake.messages.length;
    expect(await as("alice").slash("/ppp", "digest now")).toBe("The digest is on its way to this channel.");
    await until(() => fake.callsOf("files.completeUploadExternal").some((c) => c.args.channel_id === HK.channel), "the chart upload");
    expect(fake.messages.slice(before).filter((m) => m.channel === HK.channel).map((m) => m.text)).toEqual([expect.stringContaining("Weekly digest for EXA · HKPF-CSTCB")]);
    const complete = fake.callsOf("files.completeUploadExternal").filter((c) => c.args.channel_id === HK.channel).at(-1)!;
    expect(complete.args.initial_comment).toBe("EXA · HKPF-CSTCB: the last 8 weeks");
    const png = fake.uploads.slice(uploads).at(-1)!.bytes;
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  });

  it("sends /case export as files in a direct message", async () => {
    const ref = (await system.app.db.client.case.findFirstOrThrow({ orderBy: { id: "asc" } })).ref;
    const reply = await as("alice").slash("/case", `export ${ref}`);
    expect(reply).toContain("hash chain intact");
    // Wait for this export's upload (an earlier test's digest chart is an upload too).
    await until(() => fake.uploads.some((u) => u.content.includes(`"ref": "${ref}"`)), "the export's upload");
    const uploaded = fake.uploads.map((u) => u.content).join("\n");
    expect(uploaded).toContain(`"ref": "${ref}"`);
    expect(uploaded).toContain("| # | time (UTC) | who | what | previous hash | hash |");
  });
});

describe("Slack in Socket Mode", () => {
  const fake = new FakeSlack();
  let system: System;

  beforeAll(async () => {
    await fake.start();
    fake.enableSocketMode();
    system = await startSystem("sqlite", {
      SLACK_BOT_TOKEN: "xoxb-test",
      SLACK_APP_TOKEN: "xapp-test",
      SLACK_API_URL: fake.apiUrl,
      LIAISON_BOOTSTRAP_ADMINS: "slack:U0ROOT",
    });
    await until(() => fake.socketConnected, "the Socket Mode connection");
  });
  afterAll(async () => {
    await system?.close();
    await fake.stop();
  });

  it("connects through apps.connections.open with the app token and answers envelopes", async () => {
    expect(fake.callsOf("apps.connections.open")[0]!.token).toBe("xapp-test");
    const payload = {
      command: "/liaison",
      text: "whoami",
      user_id: "U0ROOT",
      user_name: "root",
      channel_id: "C0X",
      channel_name: "x",
      team_id: "T0FAKE",
      response_url: fake.responseUrl("socket-1"),
      trigger_id: "trigger-socket-1",
    };
    const ack = await fake.sendEnvelope("slash_commands", payload, "env-1");
    expect(ack.envelope_id).toBe("env-1");
    const reply = await until(() => fake.responses.find((r) => r.id === "socket-1"), "the reply");
    expect(JSON.stringify(reply.body.blocks)).toContain("You are *root*");
  });

  it("handles a redelivered envelope once", async () => {
    const payload = {
      command: "/ppp",
      text: "help",
      user_id: "U0ROOT",
      user_name: "root",
      channel_id: "C0X",
      channel_name: "x",
      team_id: "T0FAKE",
      response_url: fake.responseUrl("socket-2"),
      trigger_id: "trigger-socket-2",
    };
    await fake.sendEnvelope("slash_commands", payload, "env-2");
    await fake.sendEnvelope("slash_commands", payload, "env-2b", 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.responses.filter((r) => r.id === "socket-2")).toHaveLength(1);
  });
});

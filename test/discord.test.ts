import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_ID, FakeDiscord, GUILD_ID, interactionBase, type FakeMessage } from "./fakes/discord.js";
import { FakeSlack, sign } from "./fakes/slack.js";
import { startSystem, type System } from "./helpers/system.js";

/**
 * The real discord.js Client against a local fake Discord (REST and gateway): command
 * registration, typed options, autocomplete, modals, buttons, threads, DMs, 429s, RESUME,
 * and one case mirrored on a fake Slack and a fake Discord at once.
 */

const CHANNEL = { id: "910000000000000001", name: "hk-exa" };
const IDS = { root: "800000000000000001", alice: "800000000000000002", bob: "800000000000000003", dave: "800000000000000004", lee: "800000000000000005", sam: "800000000000000006" } as const;
type Person = keyof typeof IDS;

async function until<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 8000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

type Opt = { type: number; name: string; value?: unknown; options?: Opt[]; focused?: boolean };

function optionsFor(path: string[], values: Record<string, string>, types: Record<string, number> = {}): Opt[] {
  const leaf: Opt[] = Object.entries(values).map(([name, value]) => ({ type: types[name] ?? 3, name, value }));
  if (path.length === 1) return [{ type: 1, name: path[0]!, options: leaf }];
  return [{ type: 2, name: path[0]!, options: [{ type: 1, name: path[1]!, options: leaf }] }];
}

class DiscordUser {
  constructor(
    private readonly fake: FakeDiscord,
    readonly name: Person,
  ) {}

  get id() {
    return IDS[this.name];
  }

  /** Runs a slash command; returns the content of the (deferred, then edited) reply. */
  async command(family: string, path: string[], values: Record<string, string> = {}, types: Record<string, number> = {}, channel: { id: string; name: string } | null = CHANNEL): Promise<string> {
    const base = interactionBase({ id: this.id, username: this.name }, channel);
    this.fake.interact({ ...base, type: 2, data: { id: "1", name: family, type: 1, options: optionsFor(path, values, types), guild_id: GUILD_ID } });
    return this.reply(base.token);
  }

  /** Runs a slash command with a file in its attachment option `file` (held on the fake CDN). */
  async commandWithFile(family: string, path: string[], values: Record<string, string>, file: { name: string; content: Buffer; type: string }): Promise<string> {
    const base = interactionBase({ id: this.id, username: this.name }, CHANNEL);
    const att = this.fake.attachment(file.name, file.content, file.type);
    const options = optionsFor(path, { ...values, file: att.id }, { file: 11 });
    this.fake.interact({ ...base, type: 2, data: { id: "1", name: family, type: 1, options, guild_id: GUILD_ID, resolved: { attachments: { [att.id]: att } } } });
    return this.reply(base.token);
  }

  async reply(token: string): Promise<string> {
    const edit = await until(() => this.fake.webhooks.find((w) => w.token === token && w.method === "PATCH"), `the reply to ${token}`);
    return String(edit.body.content ?? "");
  }

  async click(message: FakeMessage, label: string): Promise<{ token: string }> {
    const rows = message.components as { components: { label: string; custom_id: string }[] }[];
    const button = rows.flatMap((r) => r.components).find((b) => b.label === label)!;
    const base = interactionBase({ id: this.id, username: this.name }, CHANNEL);
    this.fake.interact({ ...base, type: 3, message: this.fake.apiMessage(message), data: { custom_id: button.custom_id, component_type: 2 } });
    return { token: base.token };
  }

  async submit(customId: string, values: Record<string, string>): Promise<string> {
    const base = interactionBase({ id: this.id, username: this.name }, CHANNEL);
    this.fake.interact({
      ...base,
      type: 5,
      data: { custom_id: customId, components: Object.entries(values).map(([k, v]) => ({ type: 1, components: [{ type: 4, custom_id: k, value: v }] })) },
    });
    return this.reply(base.token);
  }

  async autocomplete(family: string, path: string[], name: string, typed: string, values: Record<string, string> = {}): Promise<string[]> {
    const base = interactionBase({ id: this.id, username: this.name }, CHANNEL);
    const options = optionsFor(path, values);
    const leaf = path.length === 1 ? options[0]! : options[0]!.options![0]!;
    leaf.options!.push({ type: 3, name, value: typed, focused: true });
    this.fake.interact({ ...base, type: 4, data: { id: "1", name: family, type: 1, options } });
    const cb = await until(() => this.fake.callbacks.find((c) => c.token === base.token), "the autocomplete answer");
    return ((cb.data.choices as { value: string }[]) ?? []).map((c) => c.value);
  }
}

async function seed(as: (p: Person) => DiscordUser) {
  const root = as("root");
  expect(await root.command("ppp", ["org", "add"], { code: "HKPF-CSTCB", kind: "agency", name: "HK Police", jurisdiction: "HK", domains: "police.gov.hk" })).toMatch(/^Added /);
  expect(await root.command("ppp", ["org", "add"], { code: "SGPF", kind: "agency", name: "SG Police", jurisdiction: "SG", domains: "spf.gov.sg" })).toMatch(/^Added /);
  expect(await root.command("ppp", ["org", "add"], { code: "EXA", kind: "exchange", name: "Exchange A", jurisdiction: "MT", domains: "exa.example" })).toMatch(/^Added /);
  const people: [Person, string, string][] = [
    ["alice", "HKPF-CSTCB", "liaison"],
    ["sam", "SGPF", "liaison"],
    ["bob", "EXA", "investigator"],
    ["dave", "EXA", "investigator"],
    ["lee", "EXA", "investigator"],
  ];
  const domains: Record<string, string> = { "HKPF-CSTCB": "police.gov.hk", SGPF: "spf.gov.sg", EXA: "exa.example" };
  for (const [who, org, role] of people) {
    expect(await as(who).command("liaison", ["register"], { org, role, email: `${who}@${domains[org]}` })).toMatch(/^Registration received/);
    expect(await root.command("liaison", ["vet"], { user: IDS[who] }, { user: 6 })).toMatch(/is vetted as/);
  }
  expect(await root.command("ppp", ["oncall"], { org: "EXA", people: `<@${IDS.bob}> <@!${IDS.dave}>` })).toContain(`EXA's default layer (always on call, all at once) is now: <@${IDS.bob}>, <@${IDS.dave}>.`);
  expect(await root.command("ppp", ["leads"], { org: "EXA", people: `<@${IDS.lee}>` })).toContain("level-2 contacts");
}

describe("Discord (real discord.js, fake Discord)", () => {
  const fake = new FakeDiscord();
  let system: System;
  const as = (p: Person) => new DiscordUser(fake, p);

  beforeAll(async () => {
    await fake.start();
    system = await startSystem("postgresql", {
      DISCORD_TOKEN: "discord-test-token",
      DISCORD_APPLICATION_ID: APP_ID,
      DISCORD_GUILD_ID: GUILD_ID,
      DISCORD_API_URL: fake.apiUrl,
      LIAISON_BOOTSTRAP_ADMINS: `discord:${IDS.root}`,
    });
    await until(() => system.platforms.discord?.adapter.client?.isReady(), "the gateway connection");
    await seed(as);
    const bound = await as("root").command("ppp", ["bind"], { orgs: "HKPF-CSTCB,EXA" });
    expect(bound).toBe("Posted in the channel.");
  }, 60_000);
  afterAll(async () => {
    await system?.close();
    await fake.stop();
  });

  it("registers typed commands once, and only again when they change", async () => {
    const puts = fake.requests.filter((r) => r.method === "PUT" && r.path.endsWith("/commands"));
    expect(puts).toHaveLength(1);
    expect(puts[0]!.path).toBe(`/applications/${APP_ID}/guilds/${GUILD_ID}/commands`);
    const caseCommand = fake.commands.guild.find((c) => c.name === "case") as { options: { name: string; options: { name: string; type: number; choices?: unknown[]; autocomplete?: boolean; required?: boolean }[] }[] };
    const open = caseCommand.options.find((o) => o.name === "open")!;
    expect(open.options.find((o) => o.name === "severity")).toMatchObject({ type: 3, choices: expect.arrayContaining([{ name: "critical", value: "critical" }]) });
    expect(open.options.find((o) => o.name === "exchange")).toMatchObject({ type: 3, autocomplete: true, required: true });
    const required = open.options.map((o) => o.required ?? false);
    expect(required).toEqual([...required].sort((a, b) => Number(b) - Number(a)));
    const vet = (fake.commands.guild.find((c) => c.name === "liaison") as typeof caseCommand).options.find((o) => o.name === "vet")!;
    expect(vet.options.find((o) => o.name === "user")).toMatchObject({ type: 6, required: true });
    const org = (fake.commands.guild.find((c) => c.name === "ppp") as { options: { name: string; type: number; options: { name: string }[] }[] }).options.find((o) => o.name === "org")!;
    expect(org).toMatchObject({ type: 2 });
    expect(org.options.map((o) => o.name)).toEqual(["add", "edit", "list"]);
    expect(await system.platforms.discord!.adapter.registerCommands()).toBe(false);
    expect(fake.requests.filter((r) => r.method === "PUT" && r.path.endsWith("/commands"))).toHaveLength(1);
  });

  it("explains a command with /case help, and answers a mistyped command name with the closest one", async () => {
    const help = await as("alice").command("case", ["help"], { command: "open" });
    expect(help).toContain("**/case open** — open a case for your agency (for vetted members)");
    expect(help).toContain("`severity:critical|high|medium|low`");
    expect(help).toContain('`/case open title:"Ransom wallet" exchange:EXA');
    // Whole, not cut at Discord's 2,000 characters: it ends with its last note.
    expect(help).toMatch(/people are mentions\.$/);
    expect(await as("alice").command("ppp", ["help"], { command: "case opn" })).toContain("/case has no command \"opn\" — did you mean /case open?");
    const family = await as("bob").command("case", ["help"]);
    expect(family).toContain("`/case ack` — acknowledge a case");
    expect(family).toMatch(/people are mentions\.$/);
  });

  it("answers every interaction by deferring it first, privately", async () => {
    const before = fake.callbacks.length;
    expect(await as("bob").command("liaison", ["whoami"])).toContain("investigator of EXA");
    const cb = fake.callbacks.slice(before)[0]!;
    expect(cb.type).toBe(5);
    expect(cb.data.flags).toBe(64);
  });

  it("opens a case from options: an embed card with buttons, a thread, pages that ping only the on-call", async () => {
    const reply = await as("alice").command("case", ["open"], { title: "Ransom @everyone <@&123>", exchange: "EXA", severity: "critical", type: "freeze", subjects: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t" });
    expect(reply).toMatch(/^Opened \*\*HKPF-CSTCB-\d{4}-\d{4}\*\*\./);
    await system.app.settle();
    const card = await until(() => fake.messages.find((m) => m.channel_id === CHANNEL.id && m.embeds.length > 0), "the card");
    expect(card.embeds[0]!.title).toMatch(/^HKPF-CSTCB-\d{4}-\d{4} · Ransom @\u200beveryone \\<@&123>$/);
    expect(card.allowed_mentions).toEqual({ parse: [], users: [] });
    expect(card.nonce).toBeDefined();
    const labels = (card.components as { components: { label: string }[] }[]).flatMap((r) => r.components.map((b) => b.label));
    expect(labels).toEqual(["Acknowledge", "Take", "Add note", "Hand off", "Escalate"]);
    expect(fake.threads.find((t) => t.id === card.id)).toBeDefined();
    const page = await until(() => fake.messages.find((m) => m.channel_id === card.id && m.content.includes("Paging")), "the page in the thread");
    expect(page.allowed_mentions).toEqual({ parse: [], users: [IDS.bob, IDS.dave] });
    expect(page.content).toContain(`<@${IDS.bob}>, <@${IDS.dave}>`);
    const dm = fake.messages.find((m) => m.channel_id.startsWith("dm") && m.content.includes("You are paged"));
    expect(dm?.content).toContain("Ransom @\u200beveryone \\<@&123>");
    for (const m of fake.messages) expect(m.allowed_mentions?.parse ?? []).toEqual([]);
  });

  it("acknowledges from the card's button, edits the card in place, and ignores a double click", async () => {
    const card = fake.messages.find((m) => m.channel_id === CHANNEL.id && m.embeds.length > 0)!;
    const { token } = await as("bob").click(card, "Acknowledge");
    const second = await as("bob").click(card, "Acknowledge");
    // The two clicks race; whichever commits first acknowledges, the other is told it was handled.
    const replies = [await as("bob").reply(token), await as("bob").reply(second.token)].sort();
    expect(replies[0]).toMatch(/^Acknowledged HKPF-CSTCB-\d{4}-\d{4}\./);
    expect(replies[1]).toBe("Already handled.");
    await system.app.settle();
    expect(card.edits).toBeGreaterThan(0);
    expect(JSON.stringify(card.embeds)).toContain("acknowledged");
    const acks = fake.messages.filter((m) => m.channel_id === card.id && m.content.includes("Acknowledged by"));
    expect(acks).toHaveLength(1);
    expect(acks[0]!.allowed_mentions).toEqual({ parse: [], users: [] });
  });

  it("handles an interaction Discord delivers twice once", async () => {
    const card = fake.messages.find((m) => m.channel_id === CHANNEL.id && m.embeds.length > 0)!;
    const ref = JSON.stringify(card.embeds).match(/HKPF-CSTCB-\d{4}-\d{4}/)![0];
    const base = interactionBase({ id: IDS.alice, username: "alice" }, CHANNEL);
    const note = { ...base, type: 2, data: { id: "1", name: "case", type: 1, options: optionsFor(["note"], { ref, text: "sent twice" }, {}), guild_id: GUILD_ID } };
    fake.interact(note);
    fake.interact(note);
    const edits = await until(() => {
      const all = fake.webhooks.filter((w) => w.token === base.token && w.method === "PATCH");
      return all.length === 2 ? all : undefined;
    }, "both answers");
    expect(edits.map((e) => String(e.body.content)).sort()).toEqual(["Already handled.", expect.stringMatching(/^Noted on /)]);
    await system.app.settle();
    expect(fake.messages.filter((m) => m.channel_id === card.id && m.content.includes("sent twice"))).toHaveLength(1);
  });

  it("adds a note through the button's modal", async () => {
    const card = fake.messages.find((m) => m.channel_id === CHANNEL.id && m.embeds.length > 0)!;
    const before = fake.callbacks.length;
    await as("alice").click(card, "Add note");
    const modal = await until(() => fake.callbacks.slice(before).find((c) => c.type === 9), "the modal");
    const inputs = (modal.data.components as { components: { custom_id: string }[] }[]).flatMap((r) => r.components.map((c) => c.custom_id));
    expect(inputs).toEqual(["text"]);
    expect(await as("alice").submit(String(modal.data.custom_id), { text: "**court order** attached" })).toMatch(/^Noted on /);
    await system.app.settle();
    const note = await until(() => fake.messages.find((m) => m.channel_id === card.id && m.content.includes("Note from") && m.content.includes("court order")), "the note");
    expect(note.content).toContain("\\*\\*court order\\*\\* attached");
  });

  it("opens a modal for /case open without options, and refuses a bad subject from it", async () => {
    const base = interactionBase({ id: IDS.alice, username: "alice" }, CHANNEL);
    const before = fake.callbacks.length;
    fake.interact({ ...base, type: 2, data: { id: "1", name: "case", type: 1, options: [{ type: 1, name: "open", options: [] }] } });
    const modal = await until(() => fake.callbacks.slice(before).find((c) => c.type === 9), "the open modal");
    const inputs = (modal.data.components as { components: { custom_id: string }[] }[]).flatMap((r) => r.components.map((c) => c.custom_id));
    expect(inputs).toEqual(["title", "exchange", "severity", "type", "subjects"]);
    const cases = await system.app.db.client.case.count();
    const refused = await as("alice").submit(String(modal.data.custom_id), { title: "x", exchange: "EXA", severity: "high", type: "freeze", subjects: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD" });
    expect(refused).toMatch(/^⚠️ subjects: 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD is refused: its EIP-55 checksum does not match/);
    expect(await system.app.db.client.case.count()).toBe(cases);
  });

  it("autocompletes the case references the caller may see, and organisation codes", async () => {
    const ref = (await system.app.db.client.case.findFirstOrThrow()).ref;
    expect(await as("bob").autocomplete("case", ["show"], "ref", "HKPF")).toContain(ref);
    expect(await as("sam").autocomplete("case", ["show"], "ref", "HKPF")).toEqual([]);
    expect(await as("alice").autocomplete("case", ["open"], "exchange", "E", { title: "t" })).toEqual(["EXA"]);
  });

  it("takes a document as an attachment option, fetched from Discord's CDN and checked before it is kept", async () => {
    const ref = (await system.app.db.client.case.findFirstOrThrow({ where: { status: { not: "CLOSED" } }, orderBy: { id: "asc" } })).ref;
    const pdf = Buffer.from("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n");
    const sha = createHash("sha256").update(pdf).digest("hex");
    const attachCommand = (fake.commands.guild.find((c) => c.name === "case") as { options: { name: string; options: { name: string; type: number }[] }[] }).options.find((o) => o.name === "attach")!;
    expect(attachCommand.options.find((o) => o.name === "file")).toMatchObject({ type: 11 });
    expect(await as("alice").commandWithFile("case", ["attach"], { ref, note: "the order" }, { name: "order.pdf", content: pdf, type: "application/pdf" })).toContain(`SHA-256 ${sha}`);
    expect(fake.requests.some((r) => r.method === "GET" && r.path.startsWith("/cdn/attachments/"))).toBe(true);
    // Declared a picture, but it is a program: refused, nothing kept.
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(120)]);
    expect(await as("alice").commandWithFile("case", ["attach"], { ref }, { name: "cat.png", content: elf, type: "image/png" })).toMatch(/^⚠️ file: cat\.png is application\/x-elf/);
    expect(await system.app.db.client.caseDocument.count()).toBe(1);
    expect(await as("bob").command("case", ["file"], { ref, n: "1" })).toContain(`document #1: order.pdf (application/pdf, 48 bytes), SHA-256 ${sha}`);
    // The document itself goes with the private reply, as a file.
    expect(fake.webhooks.at(-1)!.body.__files).toEqual(["order.pdf"]);
  });

  it("posts the digest with its chart attached as a PNG image", async () => {
    const before = fake.messages.length;
    expect(await as("alice").command("ppp", ["digest", "now"])).toBe("The digest is on its way to this channel.");
    await system.app.settle();
    const posted = fake.messages.slice(before).filter((m) => m.channel_id === CHANNEL.id);
    expect(posted.map((m) => String(m.content ?? "").split("\n")[0])).toEqual([expect.stringContaining("Weekly digest for EXA · HKPF"), "📈 EXA · HKPF-CSTCB: the last 8 weeks"]);
    const upload = fake.requests.filter((r) => r.method === "POST" && r.path === `/channels/${CHANNEL.id}/messages` && Array.isArray(r.body.__files) && (r.body.__files as string[]).length > 0).at(-1)!;
    expect(upload.body.__files).toEqual([expect.stringMatching(/^digest-\d+-\d{4}-\d\d-\d\d\.png$/)]);
    const png = (upload.body.__fileBytes as Buffer[])[0]!;
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.length).toBeGreaterThan(5_000);
  });

  it("manages rotation layers with typed options: layer names autocompleted, people as user options", async () => {
    const added = await as("root").command("ppp", ["rotation", "add"], { org: "EXA", name: "day", people: `<@${IDS.bob}>`, shift: "08:00-20:00", days: "mon-fri" });
    expect(added).toContain("Added to EXA's on-call: **day**: mon-fri 08:00-20:00 UTC");
    expect(await as("root").autocomplete("ppp", ["rotation", "remove"], "name", "d", { org: "EXA" })).toEqual(["day", "default"]);
    expect(await as("root").autocomplete("ppp", ["rotation", "remove"], "name", "", {})).toEqual([]);
    // lee will cover bob's day shift (later on, so the other tests' pages are unchanged): `for` is a Discord user option.
    expect(await as("lee").command("ppp", ["cover"], { org: "EXA", for: IDS.bob, from: "2031-01-06T09:00", hours: "2" }, { for: 6 })).toMatch(
      new RegExp(`^You take <@${IDS.bob}>'s shifts at EXA from Mon 6 Jan 09:00 `),
    );
    expect(await as("root").command("ppp", ["rotation", "remove"], { org: "EXA", name: "day" })).toContain("Removed the layer **day** from EXA's on-call.");
  });

  it("waits out a 429 from Discord and delivers without losing or doubling", async () => {
    fake.fail(/^POST \/channels\/.+\/messages$/, { status: 429, retryAfter: 0.2 }, 3);
    const reply = await as("alice").command("case", ["open"], { title: "Storm", exchange: "EXA", severity: "high", type: "freeze" });
    const ref = /(HKPF-CSTCB-\d{4}-\d{4})/.exec(reply)![1]!;
    await until(async () => {
      await system.app.settle();
      return (await system.app.db.client.outbox.count({ where: { state: { not: "sent" } } })) === 0;
    }, "delivery after the 429s", 15_000);
    expect(fake.messages.filter((m) => m.channel_id === CHANNEL.id && JSON.stringify(m.embeds).includes(ref))).toHaveLength(1);
  });

  it("creates a card's thread after Discord paces the thread creation, and posts in it, not in the channel", async () => {
    fake.fail(/^POST \/channels\/910000000000000001\/messages\/\d+\/threads$/, { status: 429, retryAfter: 0.2 }, 2);
    const reply = await as("alice").command("case", ["open"], { title: "Paced thread", exchange: "EXA", severity: "high", type: "freeze" });
    const ref = /(HKPF-CSTCB-\d{4}-\d{4})/.exec(reply)![1]!;
    await until(async () => {
      await system.app.settle();
      return (await system.app.db.client.outbox.count({ where: { state: { in: ["pending", "sending"] } } })) === 0;
    }, "delivery after the 429s", 15_000);
    const cards = fake.messages.filter((m) => m.channel_id === CHANNEL.id && JSON.stringify(m.embeds).includes(ref));
    expect(cards).toHaveLength(1);
    expect(fake.threads.find((t) => t.id === cards[0]!.id)).toBeDefined();
    expect(fake.messages.some((m) => m.channel_id === cards[0]!.id && m.content.includes("Paging"))).toBe(true);
    expect(fake.messages.some((m) => m.channel_id === CHANNEL.id && m.content.includes("Paging") && m.content.includes(ref))).toBe(false);
  });

  it("delivers a TLP:RED case with a 4,000-character summary and 50 subjects to its named people, within Discord's limits", async () => {
    const subjects = Array.from({ length: 50 }, (_, i) => `0x${(i + 1).toString(16).padStart(40, "0")}`).join(",");
    const summary = `${"Long summary with **markdown** & <@&123> ".repeat(100)}`.slice(0, 4000);
    const reply = await as("alice").command("case", ["open"], { title: "T".repeat(200), exchange: "EXA", severity: "critical", type: "freeze", tlp: "red", subjects, summary });
    const ref = /(HKPF-CSTCB-\d{4}-\d{4})/.exec(reply)![1]!;
    await system.app.settle();
    const { id } = await system.app.db.client.case.findUniqueOrThrow({ where: { ref } });
    const rows = await system.app.db.client.outbox.findMany({ where: { caseId: id } });
    expect(rows.length).toBeGreaterThan(3);
    expect(rows.filter((r) => r.state !== "sent").map((r) => [r.kind, r.state, r.lastError])).toEqual([]);
    const dmCards = fake.messages.filter((m) => m.channel_id.startsWith("dm") && JSON.stringify(m.embeds).includes(ref));
    expect(dmCards.length).toBeGreaterThanOrEqual(3);
    // The page in each named person's DMs went out too: nothing after the card died with it.
    expect(fake.messages.filter((m) => m.channel_id === `dm${IDS.bob}`.slice(0, 20) && m.content.includes("Paging")).length).toBeGreaterThan(0);
  });

  it("resumes the gateway session after the socket drops", async () => {
    const resumes = fake.resumes.length;
    fake.dropConnections();
    await until(() => fake.resumes.length > resumes && fake.connections > 0, "the RESUME");
    expect(await as("bob").command("liaison", ["whoami"])).toContain("investigator of EXA");
  });
});

describe("one case on Slack and Discord at once", () => {
  const discord = new FakeDiscord();
  const slack = new FakeSlack();
  let system: System;
  const as = (p: Person) => new DiscordUser(discord, p);

  beforeAll(async () => {
    await discord.start();
    await slack.start();
    system = await startSystem("sqlite", {
      DISCORD_TOKEN: "discord-test-token",
      DISCORD_APPLICATION_ID: APP_ID,
      DISCORD_GUILD_ID: GUILD_ID,
      DISCORD_API_URL: discord.apiUrl,
      SLACK_BOT_TOKEN: "xoxb-test",
      SLACK_SIGNING_SECRET: "secret",
      SLACK_API_URL: slack.apiUrl,
      LIAISON_BOOTSTRAP_ADMINS: `discord:${IDS.root}`,
    });
    await until(() => system.platforms.discord?.adapter.client?.isReady(), "the gateway connection");
    await seed(as);
    await as("root").command("ppp", ["bind"], { orgs: "HKPF-CSTCB,EXA" });
    // root links a Slack account, then binds a Slack channel from there.
    const code = /link code:([A-Z0-9-]+)/.exec(await as("root").command("liaison", ["link"]))![1]!;
    const link = async (text: string, command = "/liaison", channel = "C0SLACK") => {
      const body = new URLSearchParams({ channel_id: channel, channel_name: "hk-exa-slack", user_id: "U0ROOT", user_name: "root", command, text, response_url: slack.responseUrl(encodeURIComponent(text)), trigger_id: `t-${text}` }).toString();
      const res = await fetch(`${system.url}/slack/events`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...sign("secret", body) }, body });
      expect(res.status).toBe(200);
      return until(() => slack.responses.find((r) => r.id === text), "the Slack reply");
    };
    expect(JSON.stringify((await link(`link code:${code}`)).body)).toContain("now linked to root");
    expect(JSON.stringify((await link("bind orgs:HKPF-CSTCB,EXA", "/ppp")).body)).toContain("liaison channel");
  }, 60_000);
  afterAll(async () => {
    await system?.close();
    await discord.stop();
    await slack.stop();
  });

  it("shows the same case on both, and an acknowledgement pressed on Discord updates both cards", async () => {
    await as("alice").command("case", ["open"], { title: "Both sides", exchange: "EXA", severity: "critical", type: "freeze" });
    await system.app.settle();
    const discordCard = await until(() => discord.messages.find((m) => m.channel_id === CHANNEL.id && m.embeds.length > 0), "the Discord card");
    const slackCard = await until(() => slack.messages.find((m) => m.channel === "C0SLACK" && !m.thread_ts), "the Slack card");
    expect(slackCard.text).toContain("Both sides");
    await as("bob").click(discordCard, "Acknowledge");
    await until(async () => {
      await system.app.settle();
      return discordCard.edits > 0 && slackCard.edits > 0;
    }, "both cards updated");
    expect(JSON.stringify(discordCard.embeds)).toContain("acknowledged");
    expect(JSON.stringify(slackCard.blocks)).toContain("acknowledged");
    expect(slack.messages.some((m) => m.thread_ts === slackCard.ts && m.text.includes("Acknowledged by"))).toBe(true);
    expect(discord.messages.some((m) => m.channel_id === discordCard.id && m.content.includes("Acknowledged by"))).toBe(true);
    const members = await system.app.db.client.account.findMany({ where: { member: { role: "coordinator" } } });
    expect(new Set(members.map((a) => a.memberId)).size).toBe(1);
    expect(members.map((a) => a.platform).sort()).toEqual(["discord", "slack"]);
  });
});

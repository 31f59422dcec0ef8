import type { Delivery, DeliveryResult, Notifier } from "../../src/model/delivery.js";
import type { Platform } from "../../src/model/platform.js";

/** Where a delivery goes on a platform with channels and direct-message conversations. */
export interface Destination {
  /** A DM, or a post in a case thread that lives in a person's DM. */
  direct: boolean;
  /** The channel to post in: the DM conversation's id for direct messages. */
  channel: string;
  /** What a shortened message points to for the rest. */
  pointer: string;
}

/**
 * What the Slack and Discord notifiers share: a delivery never throws (every failure is
 * classified as retry or not, by the platform's own rules), and a person's DM conversation
 * is opened once and remembered.
 */
export abstract class ChatNotifier implements Notifier {
  abstract readonly platform: Platform;
  readonly #dmChannels = new Map<string, string>();

  async deliver(d: Delivery): Promise<DeliveryResult> {
    try {
      const direct = d.kind === "dm" || d.thread?.direct === true;
      const channel = direct ? await this.#dmChannel(d.channelId) : d.channelId;
      return await this.send(d, { direct, channel, pointer: d.payload.ref ? `(see /case show ${d.payload.ref})` : "" });
    } catch (error) {
      return this.classify(error);
    }
  }

  /** Posts or edits, as the delivery asks. */
  protected abstract send(d: Delivery, where: Destination): Promise<DeliveryResult>;

  /** A failure as the outbox should treat it: retry soon, after a pause (429), or never. */
  protected abstract classify(error: unknown): DeliveryResult;

  /** Opens (or finds) the DM conversation with a person: its channel id. */
  protected abstract openDm(user: string): Promise<string>;

  async #dmChannel(user: string): Promise<string> {
    const known = this.#dmChannels.get(user);
    if (known) return known;
    const id = await this.openDm(user);
    this.#dmChannels.set(user, id);
    return id;
  }
}

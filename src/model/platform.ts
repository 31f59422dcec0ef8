/** The chat platforms Liaison speaks on; `console` is the terminal adapter. */
export type Platform = "console" | "slack" | "discord";
export const PLATFORMS: readonly Platform[] = ["console", "slack", "discord"];

/** A person's account on a platform. */
export interface AccountRef {
  platform: Platform;
  externalId: string;
}

/** Where a command was run, or where a message goes. */
export interface ChannelRef {
  platform: Platform;
  id: string;
  name: string;
  /** A direct-message conversation with the bot rather than a shared channel. */
  direct: boolean;
}

/** The chat platforms Liaison speaks on; `console` is the terminal adapter. */
export type Platform = "console" | "slack" | "discord";
export const PLATFORMS: readonly Platform[] = ["console", "slack", "discord"];

/**
 * What the console says when it starts (docs/contract.md §7): the database it is on, the
 * adapters, the HTTP port, and a warning when nobody could run the first commands. On a
 * terminal it is printed on stdout above the prompt; on a pipe it goes to stderr, so that
 * stdout stays the conversation alone.
 */

export interface BannerInfo {
  /** `SQLite <file>` or `PostgreSQL <url with the password hidden>`. */
  storage: string;
  /** Platforms whose credentials are set but ignored because of --console. */
  ignored: readonly string[];
  /** Whether the console was asked for with --console. */
  forced: boolean;
  /** The port /healthz, /metrics and the board are served on, when PORT is set. */
  port: number | undefined;
  /** Vetted coordinators in the database (undefined: could not be read). */
  coordinators: number | undefined;
}

export function consoleBanner(info: BannerInfo): string[] {
  const adapters = info.ignored.length > 0
    ? `console (--console: the ${info.ignored.join(" and ")} credentials are ignored)`
    : info.forced
      ? "console (--console)"
      : "console (no Slack or Discord credentials)";
  const lines = [
    "Liaison console",
    `  database  ${info.storage}`,
    `  adapters  ${adapters}`,
    info.port === undefined
      ? "  http      off (set PORT to serve /healthz, /metrics and the board)"
      : `  http      port ${info.port}: /healthz, /metrics and the board (/liaison board gives a link)`,
  ];
  if (info.coordinators === 0) {
    lines.push(
      "  warning   no coordinator yet: nobody can add organisations or vet people.",
      "            Name the first when starting, e.g. LIAISON_BOOTSTRAP_ADMINS=console:root npm start",
    );
  }
  return lines;
}

import freeMailDomains from "free-email-domains";

/** Organisation codes: `HKPF-CSTCB`, `EXA`. Upper-case letters, digits, single dashes. */
export const ORG_CODE = /^[A-Z0-9](?:[A-Z0-9]|-(?=[A-Z0-9])){1,23}$/;

const regionNames = new Intl.DisplayNames(["en"], { type: "region", fallback: "none" });

export function isValidCountry(code: string): boolean {
  return /^[A-Z]{2}$/.test(code) && regionNames.of(code) !== undefined;
}

export function countryName(code: string): string {
  return regionNames.of(code) ?? code;
}

/** The canonical IANA name of a time zone, or undefined if the runtime does not know it. */
export function normaliseTimeZone(zone: string): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(zone)) return undefined;
  try {
    return new Intl.DateTimeFormat("en", { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A lower-case domain name, or undefined if it is not one. */
export function normaliseDomain(input: string): string | undefined {
  const d = input.trim().toLowerCase().replace(/\.$/, "");
  if (d.length > 253) return undefined;
  const labels = d.split(".");
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return undefined;
  if (!/^[a-z]{2,63}$|^xn--[a-z0-9-]+$/.test(labels[labels.length - 1]!)) return undefined;
  return d;
}

const FREE_MAIL = new Set<string>((freeMailDomains as string[]).map((d) => d.toLowerCase()));
// Big providers under country endings the list may not have (gmail.com.hk, yahoo.co.kr).
const FREE_MAIL_FAMILIES =
  /^(gmail|googlemail|outlook|hotmail|yahoo|ymail|proton|protonmail|qq|icloud|aol|gmx|yandex|zoho|tutanota|fastmail)\.(com|net|org|[a-z]{2}|co\.[a-z]{2}|com\.[a-z]{2})$/;

/** Free-mail providers are never official addresses, whatever an organisation lists. */
export function isFreeMailDomain(domain: string): boolean {
  const d = domain.toLowerCase();
  if (FREE_MAIL.has(d) || FREE_MAIL_FAMILIES.test(d)) return true;
  // Sub-domains of a free-mail provider (e.g. x.gmail.com) are free mail too.
  const parts = d.split(".");
  for (let i = 1; i < parts.length - 1; i++) if (FREE_MAIL.has(parts.slice(i).join("."))) return true;
  return false;
}

/** Whether an address is in one of the domains (or their sub-domains). */
export function emailInDomains(email: string, domains: readonly string[]): boolean {
  const at = email.lastIndexOf("@");
  if (at < 1) return false;
  const host = email.slice(at + 1).toLowerCase();
  return domains.some((d) => host === d || host.endsWith(`.${d}`));
}

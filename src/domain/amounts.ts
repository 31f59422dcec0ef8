import { accept, refuse, type Parsed } from "../model/parsed.js";
import { quote } from "../model/text.js";
/**
 * Amounts as typed: `12.5 BTC`, `30000 USDT = 30000 USD`, several separated by commas.
 * Kept as decimal strings (never floats): they may end up in court.
 */

export interface Amount {
  asset: string;
  amount: string;
  usd: string | null;
}

const NUMBER = "(\\d{1,18}(?:\\.\\d{1,18})?)";
const AMOUNT = new RegExp(`^${NUMBER}\\s*([A-Za-z][A-Za-z0-9.]{1,11})(?:\\s*(?:=|≈|~)\\s*\\$?\\s*${NUMBER}\\s*(?:USD)?)?$`, "i");

const normaliseNumber = (n: string) => n.replace(/^0+(?=\d)/, "").replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");

export function parseAmount(text: string): Parsed<Amount> {
  const m = AMOUNT.exec(text.trim().replace(/,(?=\d{3}\b)/g, ""));
  if (!m) return refuse(`${quote(text.trim())} is not an amount like "12.5 BTC" or "30000 USDT = 30000 USD"`);
  const amount = normaliseNumber(m[1]!);
  if (Number(amount) === 0) return refuse(`${quote(text.trim())} is zero`);
  return accept({ asset: m[2]!.toUpperCase(), amount, usd: m[3] ? normaliseNumber(m[3]) : null });
}

const SCALE = 18n;

/** Exact decimal addition for totals by asset. */
export function addDecimal(a: string, b: string): string {
  const toUnits = (s: string) => {
    const [whole, frac = ""] = s.split(".");
    return BigInt(whole!) * 10n ** SCALE + BigInt((frac + "0".repeat(Number(SCALE))).slice(0, Number(SCALE)) || "0");
  };
  const sum = toUnits(a) + toUnits(b);
  const whole = sum / 10n ** SCALE;
  const frac = (sum % 10n ** SCALE).toString().padStart(Number(SCALE), "0").replace(/0+$/, "");
  return frac ? `${whole}.${frac}` : `${whole}`;
}

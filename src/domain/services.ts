import type { Platform } from "../model/platform.js";
import type { Signer } from "./evidence.js";
import type { Policy } from "./policy.js";

/** Long-lived things the domain needs besides the transaction: settings, the policy, where messages may go. */
export interface DomainServices {
  /** Default validity of a vetting, in ms. */
  vettingValidityMs: number;
  policy: Policy;
  /** Platforms this deployment delivers to; direct messages go to accounts on these. */
  platforms: readonly Platform[];
  /** The deployment's evidence-pack signing key. */
  signer: Signer;
  /** Where the web board is reached (LIAISON_PUBLIC_URL, else http://localhost:PORT); none without PORT. */
  boardUrl?: string;
}

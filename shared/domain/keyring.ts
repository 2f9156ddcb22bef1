/**
 * The key ring: named secrets, one of them active. Every cryptographic key the app uses (ticket signing,
 * phone encryption, hashing pepper) is derived from a ring entry with HKDF under its own label, so a single
 * secret can be rotated by adding a new entry and making it active; old entries keep verifying old tokens.
 */
import { hkdfSync, randomBytes } from 'node:crypto';

export type TKeyPurpose = 'ticket' | 'phone' | 'hash' | 'session' | 'webhook';

export interface TKeyring {
  activeKid: string;
  /** Derived 32-byte key for a purpose and kid; undefined if the kid is unknown. */
  key(purpose: TKeyPurpose, kid?: string): Buffer | undefined;
  kids(): string[];
}

const KID = /^[A-Za-z0-9]{1,8}$/;

/** Parses `{"active":"k1","k1":"<secret>","k0":"<older secret>"}` (the Secrets Manager value). */
export function parseKeyring(json: string): TKeyring {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error('keyring: not valid JSON');
  }
  if (!raw || typeof raw !== 'object') throw new Error('keyring: expected an object');
  const { active, ...entries } = raw as Record<string, unknown>;
  const secrets = new Map<string, string>();
  for (const [kid, secret] of Object.entries(entries)) {
    if (!KID.test(kid)) throw new Error(`keyring: key id "${kid}" must be 1–8 letters or digits`);
    if (typeof secret !== 'string' || secret.length < 32) throw new Error(`keyring: secret "${kid}" must be at least 32 characters`);
    secrets.set(kid, secret);
  }
  if (typeof active !== 'string' || !secrets.has(active)) throw new Error('keyring: "active" must name one of its keys');
  const cache = new Map<string, Buffer>();
  return {
    activeKid: active,
    kids: () => [...secrets.keys()],
    key(purpose, kid = active) {
      const secret = secrets.get(kid);
      if (secret === undefined) return undefined;
      const id = `${purpose}:${kid}`;
      let derived = cache.get(id);
      if (!derived) {
        derived = Buffer.from(hkdfSync('sha256', secret, 'service-temperature', `st/${purpose}`, 32));
        cache.set(id, derived);
      }
      return derived;
    },
  };
}

/** A fresh key ring with one random entry (local runs persist it under DATA_DIR). */
export function generateKeyringJson(kid = 'k1'): string {
  return JSON.stringify({ active: kid, [kid]: randomBytes(48).toString('base64url') });
}

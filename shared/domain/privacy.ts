/**
 * Privacy helpers (SPEC §6): phones are encrypted at rest and shown masked; API keys, devices and
 * addresses are only ever stored as keyed hashes.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import type { TKeyring } from './keyring.js';

/** `<kid>.<iv>.<ciphertext>.<tag>` (base64url), AES-256-GCM under the ring's "phone" key. */
export function encryptPhone(keyring: TKeyring, phone: string): string {
  const kid = keyring.activeKid;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyring.key('phone', kid)!, iv);
  const ct = Buffer.concat([cipher.update(phone, 'utf8'), cipher.final()]);
  return [kid, iv.toString('base64url'), ct.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

export function decryptPhone(keyring: TKeyring, sealed: string): string {
  const [kid, iv, ct, tag] = sealed.split('.');
  const key = keyring.key('phone', kid);
  if (!key || !iv || !ct || !tag) throw new Error('phone: cannot decrypt (unknown key or damaged value)');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
}

/** 13812341234 → 138****1234 */
export const maskPhone = (phone: string): string => (phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****');

/** API keys are high-entropy random strings, so an unsalted SHA-256 is enough to make a stolen table useless. */
export const hashApiKey = (apiKey: string): string => createHash('sha256').update(apiKey).digest('hex');

export const newApiKey = (): string => `st_${randomBytes(24).toString('base64url')}`;

/** Keyed hash for devices, placard throttles and the like: stable per key ring entry, meaningless without it. */
export function keyedHash(keyring: TKeyring, ...parts: string[]): string {
  return createHmac('sha256', keyring.key('hash', keyring.activeKid)!)
    .update(parts.join('\u0000'))
    .digest()
    .subarray(0, 16)
    .toString('base64url');
}

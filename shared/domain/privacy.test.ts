import { describe, expect, it } from 'vitest';
import { generateKeyringJson, parseKeyring } from './keyring.js';
import { decryptPhone, encryptPhone, hashApiKey, keyedHash, maskPhone } from './privacy.js';

const ring = parseKeyring(generateKeyringJson());

describe('privacy', () => {
  it('encrypts phones with a fresh IV each time and decrypts them', () => {
    const a = encryptPhone(ring, '13812341234');
    const b = encryptPhone(ring, '13812341234');
    expect(a).not.toBe(b);
    expect(a).not.toContain('1381234');
    expect(decryptPhone(ring, a)).toBe('13812341234');
  });
  it('detects tampering', () => {
    const sealed = encryptPhone(ring, '13812341234').split('.');
    sealed[2] = Buffer.from('00000000000', 'utf8').toString('base64url');
    expect(() => decryptPhone(ring, sealed.join('.'))).toThrow();
  });
  it('masks phones as 138****1234', () => expect(maskPhone('13812341234')).toBe('138****1234'));
  it('hashes keys and devices one-way and stably', () => {
    expect(hashApiKey('st_x')).toMatch(/^[0-9a-f]{64}$/);
    expect(keyedHash(ring, 'device', 'abc')).toBe(keyedHash(ring, 'device', 'abc'));
    expect(keyedHash(ring, 'device', 'abc')).not.toBe(keyedHash(parseKeyring(generateKeyringJson()), 'device', 'abc'));
  });
});

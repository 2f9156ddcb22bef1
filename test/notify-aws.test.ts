/**
 * The notification tick's AWS adapters (functions/notify-aws.ts): the hand-written SigV4 signer agrees with the AWS
 * SDK's own signer (@smithy/signature-v4) on the same request, and the SES mailer posts a SendEmail v2 request
 * (signed, UTF-8 subject and bodies) to an endpoint on loopback; a refusal there is an error, never a silent loss.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { sesMailer, sigV4 } from '../functions/notify-aws.js';

/** The hash the SDK signer takes: SHA-256, or HMAC-SHA256 when given a key (its signing-key chain). */
class Sha256 {
  private readonly h;
  constructor(secret?: string | Uint8Array) {
    this.h = secret ? createHmac('sha256', secret) : createHash('sha256');
  }
  update(data: string | Uint8Array) {
    this.h.update(data);
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
}

const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'token-xyz' };

describe('SigV4', () => {
  it('signs exactly as the AWS SDK signer does', async () => {
    const body = JSON.stringify({ FromEmailAddress: 'a@b.cn', Content: { Simple: { Subject: { Data: '中文主题' } } } });
    const now = new Date('2026-11-30T12:34:56Z');
    const mine = sigV4(
      {
        method: 'POST',
        host: 'email.cn-north-1.amazonaws.com.cn',
        path: '/v2/email/outbound-emails',
        headers: { 'content-type': 'application/json' },
        body,
      },
      creds,
      'cn-north-1',
      'ses',
      now,
    );
    const sdk = await new SignatureV4({ credentials: creds, region: 'cn-north-1', service: 'ses', sha256: Sha256 as never }).sign(
      {
        method: 'POST',
        protocol: 'https:',
        hostname: 'email.cn-north-1.amazonaws.com.cn',
        path: '/v2/email/outbound-emails',
        headers: { 'content-type': 'application/json', host: 'email.cn-north-1.amazonaws.com.cn' },
        body,
        query: {},
      },
      { signingDate: now, unsignableHeaders: new Set(), signableHeaders: new Set() },
    );
    const theirs = (sdk.headers as Record<string, string>).authorization;
    const sigOf = (a: string) => /Signature=([0-9a-f]{64})/.exec(a)?.[1];
    const signedOf = (a: string) => /SignedHeaders=([^,]+)/.exec(a)?.[1];
    expect(signedOf(mine.authorization)).toBe(signedOf(theirs));
    expect(sigOf(mine.authorization)).toMatch(/^[0-9a-f]{64}$/);
    expect(sigOf(mine.authorization)).toBe(sigOf(theirs));
  });
});

describe('SES mailer', () => {
  it('posts a signed SendEmail v2 request; a refusal is an error', async () => {
    const seen: { path?: string; auth?: string; body: string }[] = [];
    let status = 200;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ path: req.url, auth: req.headers.authorization, body });
        res.writeHead(status, { 'content-type': 'application/json' }).end('{"MessageId":"m-1"}');
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const mailer = sesMailer({ region: 'cn-north-1', from: 'notify@rate.example.cn', credentials: () => creds, endpoint });
    await mailer.send({ to: 'mgr@hall.cn', subject: '[服务温度] 新差评案件', text: 'x', html: '<p>x</p>', id: 'evt_1' });
    expect(seen[0].path).toBe('/v2/email/outbound-emails');
    expect(seen[0].auth).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/cn-north-1\/ses\/aws4_request, SignedHeaders=/);
    expect(JSON.parse(seen[0].body)).toMatchObject({
      FromEmailAddress: 'notify@rate.example.cn',
      Destination: { ToAddresses: ['mgr@hall.cn'] },
      Content: { Simple: { Subject: { Data: '[服务温度] 新差评案件', Charset: 'UTF-8' } } },
    });
    status = 400;
    await expect(mailer.send({ to: 'x@y.cn', subject: 's', text: 't', html: 'h', id: 'evt_2' })).rejects.toThrow(
      /SES SendEmail answered 400/,
    );
    server.close();
  });
});

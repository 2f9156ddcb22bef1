/**
 * The notification tick's AWS adapters (issue 14; the logic is shared/services/notify.ts): SES v2 SendEmail for staff
 * e-mail, signed with SigV4 by hand from the function role's credentials (the SES client package is not a
 * dependency: a 40-line signer keeps it so), the SQS queue that carries webhook attempts, and its consumer.
 */
import { createHash, createHmac } from 'node:crypto';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { attemptDelivery, type TMail, type TMailer, type TNotifyDeps } from '../shared/services/notify.js';
import type { TDelivery } from '../shared/storage/notify.js';

export interface TAwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

const sha256hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: Buffer | string, s: string) => createHmac('sha256', key).update(s, 'utf8').digest();

/** AWS Signature Version 4 headers of a request without a query string (x-amz-date, the token, Authorization). */
export function sigV4(
  req: { method: string; host: string; path: string; headers: Record<string, string>; body: string },
  creds: TAwsCredentials,
  region: string,
  service: string,
  now: Date,
): Record<string, string> {
  const amzDate = now.toISOString().replace(/[:-]|\.\d{3}/g, '');
  const date = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    ...Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v.trim()])),
    host: req.host,
    'x-amz-content-sha256': sha256hex(req.body),
    'x-amz-date': amzDate,
    ...(creds.sessionToken ? { 'x-amz-security-token': creds.sessionToken } : {}),
  };
  const names = Object.keys(headers).sort();
  const signed = names.join(';');
  const canonical = [req.method, req.path, '', ...names.map((n) => `${n}:${headers[n]}`), '', signed, sha256hex(req.body)].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256hex(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, date), region), service), 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
  const { host: _host, ...rest } = headers;
  return {
    ...rest,
    authorization: `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signed}, Signature=${signature}`,
  };
}

/** Staff e-mail through SES v2 SendEmail (simple content, UTF-8), from the stack's verified identity. */
export function sesMailer(opts: {
  region: string;
  from: string;
  credentials: () => TAwsCredentials;
  endpoint?: string;
  fetch?: typeof fetch;
}): TMailer {
  const endpoint = opts.endpoint ?? `https://email.${opts.region}.amazonaws.com`;
  const url = new URL('/v2/email/outbound-emails', endpoint);
  return {
    async send(m: TMail) {
      const body = JSON.stringify({
        FromEmailAddress: opts.from,
        Destination: { ToAddresses: [m.to] },
        Content: {
          Simple: {
            Subject: { Data: m.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: m.text, Charset: 'UTF-8' }, Html: { Data: m.html, Charset: 'UTF-8' } },
          },
        },
      });
      const headers = sigV4(
        { method: 'POST', host: url.host, path: url.pathname, headers: { 'content-type': 'application/json' }, body },
        opts.credentials(),
        opts.region,
        'ses',
        new Date(),
      );
      const res = await (opts.fetch ?? fetch)(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`SES SendEmail answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    },
  };
}

/** The function role's credentials, which the Lambda runtime puts in the environment. */
export const envCredentials =
  (env: Record<string, string | undefined> = process.env) =>
  (): TAwsCredentials => ({
    accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
    ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
  });

/** Due deliveries onto the queue, 10 per SendMessageBatch (a duplicate message records nothing twice). */
export function sqsEnqueue(client: Pick<SQSClient, 'send'>, queueUrl: string) {
  return async (deliveries: readonly TDelivery[]): Promise<void> => {
    for (let i = 0; i < deliveries.length; i += 10) {
      const chunk = deliveries.slice(i, i + 10);
      const out = await client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((d, j) => ({ Id: String(j), MessageBody: JSON.stringify(d) })),
        }),
      );
      if (out.Failed?.length) throw new Error(`SQS: ${out.Failed.length} webhook attempt(s) not queued (next tick retries them)`);
    }
  };
}

/**
 * The queue's consumer: one attempt per message (recorded under its attempt count, so a duplicate is skipped). A
 * receiver's failure is a recorded attempt, not an error; only a failure to record it is retried by SQS.
 */
export function createDeliverer(deps: TNotifyDeps): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const record = async (r: SQSRecord) => {
    await attemptDelivery(deps, JSON.parse(r.body) as TDelivery);
  };
  return (event) => processPartialResponse(event, record, new BatchProcessor(EventType.SQS), { throwOnFullBatchFailure: false });
}

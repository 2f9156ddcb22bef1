/** One DynamoDB client per process, built once at module scope by the caller (Lambda cold start or local server). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Embedded engines on this machine (dynalite, DynamoDB Local) do not check request signatures, only that one is
 * present; signing every call with SigV4 (hashing each body, a chain of HMACs) is a third of the client's CPU.
 * So calls to a loopback endpoint carry a fixed, well-formed header instead. Never used for a real endpoint.
 */
const LOOPBACK = /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\/?$/;
const unsignedForLoopback = {
  httpAuthSchemeProvider: () => [{ schemeId: 'local#fixed' }],
  httpAuthSchemes: [
    {
      schemeId: 'local#fixed',
      identityProvider: () => async () => ({}),
      signer: {
        sign: async (request: { headers: Record<string, string> }) => {
          request.headers.authorization =
            'AWS4-HMAC-SHA256 Credential=local/20260101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=00';
          request.headers['x-amz-date'] = '20260101T000000Z';
          return request;
        },
      },
    },
  ],
};

export function createDynamoClient(opts: { endpoint?: string; region?: string } = {}): DynamoDBClient {
  return new DynamoDBClient({
    region: opts.region ?? process.env.AWS_REGION ?? 'us-east-1',
    ...(opts.endpoint ? { endpoint: opts.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    ...(opts.endpoint && LOOPBACK.test(opts.endpoint) ? (unsignedForLoopback as object) : {}),
    maxAttempts: 4,
    // Reuse the middleware stack between calls instead of rebuilding it each time.
    cacheMiddleware: true,
    // Silent, and without `info`: the SDK then skips building a redacted copy of every request and response just to
    // log nothing (its default logger has `info`). Failures still reach the caller as errors.
    logger: { debug: () => {}, warn: () => {}, error: () => {} } as never,
  });
}

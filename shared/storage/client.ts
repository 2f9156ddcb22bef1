/** One DynamoDB client per process, built once at module scope by the caller (Lambda cold start or local server). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export function createDynamoClient(opts: { endpoint?: string; region?: string } = {}): DynamoDBClient {
  return new DynamoDBClient({
    region: opts.region ?? process.env.AWS_REGION ?? 'us-east-1',
    ...(opts.endpoint
      ? { endpoint: opts.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
    maxAttempts: 4,
    // Reuse the middleware stack between calls instead of rebuilding it each time.
    cacheMiddleware: true,
    // No `info`: the SDK then skips building a redacted copy of every request and response just to log nothing.
    logger: { debug: () => {}, warn: (...a: unknown[]) => console.warn(...a), error: (...a: unknown[]) => console.error(...a) } as never,
  });
}

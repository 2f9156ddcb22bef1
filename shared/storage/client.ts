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
    // Silent, and without `info`: the SDK then skips building a redacted copy of every request and response just to
    // log nothing (its default logger has `info`). Failures still reach the caller as errors.
    logger: { debug: () => {}, warn: () => {}, error: () => {} } as never,
  });
}

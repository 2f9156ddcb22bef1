/** Serves the OpenAPI document that `npm run openapi` generated from the zod schemas (see openapi-build.ts). */
import doc from './openapi.generated.json' with { type: 'json' };

export const openApiDocument = (serverUrl: string): Record<string, unknown> => ({ ...doc, servers: [{ url: serverUrl }] });

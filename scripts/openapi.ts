/** Regenerates shared/http/openapi.generated.json from the zod schemas. */
import { writeFileSync } from 'node:fs';
import { buildOpenApiDocument } from '../shared/http/openapi-build.js';

const target = new URL('../shared/http/openapi.generated.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);

/**
 * Lambda entry for year-long exports: a function URL in RESPONSE_STREAM mode (no 6 MB cap on the answer), reached by
 * the dashboard's 303 with a signed one-minute ticket (shared/http/routes/export-stream.ts). Wiring only.
 */
import { streamHandle } from 'hono/aws-lambda';
import { createApp } from '../shared/http/app.js';
import { exportStreamRoutes } from '../shared/http/routes/export-stream.js';
import { loadRuntime } from './runtime.js';

const deps = await loadRuntime();
const app = createApp(deps, { mount: (a) => a.route('/', exportStreamRoutes(deps)) });

export const handler = streamHandle(app);

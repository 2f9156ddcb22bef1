/**
 * Lambda entry for the staff dashboard (pages, sign-in, exports, its JSON routes), kept apart from the resident and
 * machine API so that function stays small. Assets and @node-rs/jieba's arm64 binary sit beside this bundle
 * (see infra/constructs/dashboard-function.ts).
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { fileURLToPath } from 'node:url';
import { handle } from 'hono/aws-lambda';
import { createApp } from '../shared/http/app.js';
import { loadDashboardAssets } from '../shared/http/assets.js';
import { dashboardRoutes } from '../shared/http/routes/dashboard.js';
import { loadRuntime, logger } from './runtime.js';

const deps = await loadRuntime();
const assets = loadDashboardAssets(fileURLToPath(new URL('./assets/', import.meta.url)));
const app = createApp(deps, { mount: (a) => a.route('/', dashboardRoutes(deps, assets)) });

export const handler = middy(handle(app)).use(injectLambdaContext(logger, { resetKeys: true }));

/** Lambda entry for the HTTP API: the same Hono app as the local server, behind API Gateway (HTTP API, payload v2). */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { handle } from 'hono/aws-lambda';
import { createApp } from '../shared/http/app.js';
import { loadRuntime, logger } from './runtime.js';

const app = createApp(await loadRuntime());

export const handler = middy(handle(app)).use(injectLambdaContext(logger, { resetKeys: true }));

import { join } from 'node:path';
import { buildApp, PROJECT_ROOT } from './build.js';

// Under the CDK CLI, CDK_OUTDIR is set and the App picks it up; `npm run synth` (plain tsx) writes to ./cdk.out.
const outdir = process.env.CDK_OUTDIR ? undefined : join(PROJECT_ROOT, 'cdk.out');

const { app } = buildApp({ outdir });
app.synth();

/**
 * Runs once before the suites (vitest globalSetup): when the run includes the DynamoDB Local suite, finds (or installs)
 * Java 17 (test/support/java.ts); when it includes a browser suite, finds (or installs) the
 * Chromium it drives and hands its path over (`inject('chromiumPath')`). Without one the run stops here, at once,
 * with one line saying how to get one — never a silent skip. SKIP_BROWSER_TESTS=1 leaves the browser suites out on
 * purpose (vitest.config.ts); a run of other files only never looks.
 */
import type { TestProject } from 'vitest/node';
import { locateChromium } from './chromium.js';
import { locateJava } from './java.js';

declare module 'vitest' {
  export interface ProvidedContext {
    chromiumPath: string;
  }
}

/** Suites that also run on DynamoDB Local (Java 17). */
export const JAVA_SUITES = /[\\/]test[\\/]repository\.test\.ts$/;

export const isBrowserSuite = (file: string): boolean => /[\\/]test[\\/]browser[\\/]/.test(file);

export default async function setup(project: TestProject): Promise<void> {
  project.provide('chromiumPath', '');
  // The files this run was asked for (`vitest run test/api.test.ts` needs no browser).
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern ?? [];
  const specs = await project.vitest.globTestSpecifications(filters);
  try {
    if (specs.some((s) => JAVA_SUITES.test(s.moduleId))) locateJava();
    if (specs.some((s) => isBrowserSuite(s.moduleId))) project.provide('chromiumPath', locateChromium());
  } catch (err) {
    process.stderr.write(`\n${(err as Error).message}\n`);
    process.exit(1);
  }
}

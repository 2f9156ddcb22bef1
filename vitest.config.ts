import { configDefaults, defineConfig } from 'vitest/config';

/** SKIP_BROWSER_TESTS=1 leaves the real-Chromium suites out, on purpose and said so (README); nothing else skips them. */
const skipBrowser = process.env.SKIP_BROWSER_TESTS === '1';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'shared/**/*.test.ts'],
    // test/.tmp holds screenshots and scratch copies (git-ignored): never tests.
    exclude: [...configDefaults.exclude, 'test/.tmp/**', ...(skipBrowser ? ['test/browser/**'] : [])],
    // Finds (or installs) the Chromium the browser suites drive, or stops the run with one line saying how to get one.
    globalSetup: ['./test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: keep file-level parallelism modest so engine start-ups and browser tests do not starve each other.
    maxWorkers: 2,
    reporters: ['default', './test/support/summary-reporter.ts'],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});

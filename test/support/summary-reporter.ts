/**
 * Prints one plain closing line, "N passed, N failed, N skipped", that any CI log reader understands. A browser
 * suite that was skipped fails the run (a silent skip would hide that pages were never tested in a browser) unless
 * the person asked for it with SKIP_BROWSER_TESTS=1, or picked tests by name (-t).
 */
import type { Reporter, TestModule, Vitest } from 'vitest/node';
import { isBrowserSuite } from './global-setup.js';

export default class SummaryReporter implements Reporter {
  private namePattern = false;

  onInit(vitest: Vitest) {
    this.namePattern = !!vitest.config.testNamePattern;
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>) {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    let browserSkipped = 0;
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else {
          skipped++;
          if (isBrowserSuite(m.moduleId)) browserSkipped++;
        }
      }
      if (m.state() === 'failed' && [...m.children.allTests()].length === 0) failed++; // a file that failed to load
    }
    process.stdout.write(`\nvitest: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
    if (process.env.SKIP_BROWSER_TESTS === '1') process.stdout.write('browser suites left out (SKIP_BROWSER_TESTS=1)\n');
    else if (browserSkipped && !this.namePattern) {
      process.stdout.write(
        `error: ${browserSkipped} browser tests were skipped; they must run (SKIP_BROWSER_TESTS=1 skips them on purpose)\n`,
      );
      process.exitCode = 1;
    }
  }
}

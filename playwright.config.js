// Page tests: Debian's Chromium (no browser download), against the xtask
// server serving the pkg/ that `cargo xtask build` made.
//
// `cargo xtask test` runs them after the build and points NORMSCOPE_XTASK at
// its own binary. By hand: `cargo xtask build`, then `npx playwright test`.
import { defineConfig } from '@playwright/test';
import { CHROMIUM_LAUNCH } from './tests/chromium.js';

const port = Number(process.env.NORMSCOPE_E2E_PORT ?? 8181);
const xtask = process.env.NORMSCOPE_XTASK;
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '**/*.spec.js',
  outputDir: 'tests/e2e/artifacts/results',
  snapshotPathTemplate: 'tests/e2e/snapshots/{testFilePath}/{arg}{ext}',
  // Two cores: one worker for the browser, one for the server and the rest.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  // `list` ends with a line like "3 passed (4.2s)"; no HTML report that
  // would open a browser window on failure.
  reporter: [['list']],
  use: {
    baseURL,
    browserName: 'chromium',
    headless: true,
    launchOptions: CHROMIUM_LAUNCH,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  webServer: {
    command: xtask
      ? `"${xtask}" serve --no-build --port ${port}`
      : `cargo xtask serve --no-build --port ${port}`,
    url: `${baseURL}/`,
    // `cargo xtask test` (NORMSCOPE_XTASK) and CI always start their own.
    reuseExistingServer: !process.env.CI && !xtask,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});

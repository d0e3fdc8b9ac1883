// How every headless run here starts Debian's Chromium (page tests,
// benchmarks): one place for the path and the flags. CHROMIUM overrides
// the path. No sandbox: the tests and CI run as root in a container.
export const CHROMIUM_LAUNCH = {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    '--disable-sync',
  ],
};

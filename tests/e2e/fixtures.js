// A `test` whose `page` fails the test if the page logs a console error,
// throws an uncaught exception, or has a request that fails or answers
// with an HTTP error. Import { test, expect } from here, not from
// '@playwright/test'.
//
// A test that provokes an error on purpose lists it, so nothing else slips by:
//   test.use({ allowedProblems: [/could not decode/] });
import { test as base, expect } from '@playwright/test';

export const test = base.extend({
  allowedProblems: [[], { option: true }],

  page: async ({ page, allowedProblems }, use, testInfo) => {
    const problems = [];
    const note = (text) => {
      if (!allowedProblems.some((pattern) => pattern.test(text))) problems.push(text);
    };
    page.on('console', (message) => {
      if (message.type() === 'error') note(`console error: ${message.text()}`);
    });
    page.on('pageerror', (error) => note(`uncaught exception: ${error.message}`));
    page.on('requestfailed', (request) => {
      note(`request failed: ${request.method()} ${request.url()} (${request.failure()?.errorText})`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400) note(`HTTP ${response.status()}: ${response.url()}`);
    });

    await use(page);

    if (problems.length > 0) {
      await testInfo.attach('page-problems.txt', { body: problems.join('\n'), contentType: 'text/plain' });
    }
    expect(problems, 'the page reported errors').toEqual([]);
  },
});

export { expect };

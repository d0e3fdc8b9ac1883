// Hostile links: a shared link or an embed whose settings are names every
// JavaScript object inherits (__proto__, constructor, toString,
// hasOwnProperty, valueOf) must not break the lab or the page for whoever
// opens it. Each name is tried in turn as the value of every lab-* parameter,
// every <norm-lab> attribute and every parameter of the page's own: the lab
// (or the page) still becomes ready and names the value in its notice, and
// fixtures.js fails the test on any page error or failed request (the lab
// once fetched race-toString.json for ?lab-task=toString).
import { readFileSync } from 'node:fs';
import { test, expect } from './fixtures.js';

const HOSTILE = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
// Every lab setting (a lab-* parameter and an attribute of the same name), from the lab's own table.
const TABLE = JSON.parse(readFileSync(new URL('../../www/lab/settings.json', import.meta.url)));
const LAB_SETTINGS = TABLE.settings.map((s) => s.name);
// The page's own parameters (urlstate.js's ORDER).
const PAGE_PARAMETERS = ['samples', 'probe', 'size', 'contrast', 'brightness', 'gamma', 'clip', 'kinds', 'diff', 'groups', 'rho', 'eps', 'features', 'bn', 'others', 'embed'];

// A page holding only the lab. Each setting is tried on a fresh <norm-lab>
// (with use-url it reads the address as on the normscope page; the runs
// recorded are fetched once, as the element's store is shared), so the 65
// tries take seconds; the normscope page itself is opened with each name below.
const HOST = '/hostile-lab-host.html';
const HOST_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>lab</title>
<link rel="icon" href="data:,"><script type="module" src="/norm-lab.js"></script></head>
<body><main></main></body></html>`;

const lab = (page) => page.locator('norm-lab');

/** A fresh element with `attributes`, as an embed writes it; true once it is ready. */
function startLab(page, attributes, search = '') {
  return page.evaluate(async ({ attributes, search }) => {
    history.replaceState(null, '', `${location.pathname}${search}`);
    document.querySelector('norm-lab')?.remove();
    await customElements.whenDefined('norm-lab');
    const element = document.createElement('norm-lab');
    for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
    document.querySelector('main').append(element);
    for (let i = 0; i < 400 && element.dataset.ready !== 'true'; i++) await new Promise((r) => setTimeout(r, 25));
    return element.dataset.ready === 'true';
  }, { attributes, search });
}

async function openHost(page) {
  await page.route(`**${HOST}*`, (route) => route.fulfill({ body: HOST_PAGE, contentType: 'text/html' }));
  await page.goto(HOST);
  expect(await startLab(page, {}), 'the lab starts with no settings').toBe(true);
  return lab(page).evaluate((element) => element.settings);
}

for (const hostile of HOSTILE) {
  test(`lab-* parameters set to ${hostile} get a notice, and the lab starts with its defaults`, async ({ page }) => {
    test.setTimeout(90_000);
    const defaults = await openHost(page);
    for (const name of LAB_SETTINGS) {
      const what = `lab-${name}=${hostile}`;
      expect(await startLab(page, { 'use-url': '' }, `?lab-${name}=${encodeURIComponent(hostile)}`), `${what}: the lab never became ready`).toBe(true);
      const notice = lab(page).locator('.lab-notice');
      await expect(notice, what).toBeVisible();
      await expect(notice, what).toContainText(`Ignored lab-${name}=${JSON.stringify(hostile)}`);
      expect(await lab(page).evaluate((element) => element.settings), what).toEqual(defaults);
      await expect(lab(page).locator('.lab-panel').first()).toBeVisible();
    }
  });

  test(`<norm-lab> attributes set to ${hostile} get a notice, and the lab starts with its defaults`, async ({ page }) => {
    test.setTimeout(90_000);
    const defaults = await openHost(page);
    for (const name of ['experiment', ...LAB_SETTINGS]) {
      const what = `${name}="${hostile}"`;
      expect(await startLab(page, { [name]: hostile }), `${what}: the lab never became ready`).toBe(true);
      const notice = lab(page).locator('.lab-notice');
      await expect(notice, what).toBeVisible();
      await expect(notice, what).toContainText(`Ignored ${name === 'experiment' ? 'experiment' : `the attribute ${name}`}=${JSON.stringify(hostile)}`);
      expect(await lab(page).evaluate((element) => element.settings), what).toEqual(defaults);
      await expect(lab(page).locator('.lab-panel').first()).toBeVisible();
    }
  });

  test(`the normscope page opened with ${hostile} for every parameter names each, and it and its lab start`, async ({ page }) => {
    // The page's own parameters check values with Array.includes and fixed
    // keys, so one link can carry them all; the lab's, in turn, are above.
    const query = [...PAGE_PARAMETERS, 'lab-axis', 'lab-task', 'lab-stage'].map((name) => `${name}=${encodeURIComponent(hostile)}`).join('&');
    await page.goto(`/?${query}`);
    await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
    // The page's lab loads lazily: it starts when it comes near the viewport.
    await lab(page).scrollIntoViewIfNeeded();
    await expect(lab(page)).toHaveAttribute('data-ready', 'true');
    const notice = page.locator('#url-notice');
    await expect(notice).toBeVisible();
    for (const name of PAGE_PARAMETERS) await expect(notice, name).toContainText(name === 'probe' ? `probe=${JSON.stringify(hostile)}` : name);
    const labNotice = lab(page).locator('.lab-notice');
    for (const name of ['lab-axis', 'lab-task', 'lab-stage']) await expect(labNotice).toContainText(`Ignored ${name}=${JSON.stringify(hostile)}`);
    // Each of the page's parameters alone is refused by its parser, with the value quoted.
    const refused = await page.evaluate(async ({ names, hostile }) => {
      const { parseState } = await import('/js/urlstate.js');
      return names.map((name) => parseState(`${name}=${encodeURIComponent(hostile)}`).notices.join(' '));
    }, { names: PAGE_PARAMETERS, hostile });
    refused.forEach((text, i) => expect(text, PAGE_PARAMETERS[i]).toContain(JSON.stringify(hostile)));
  });
}

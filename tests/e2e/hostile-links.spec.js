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

// A page holding only the lab, reading the address as index.html's does:
// the lab's parameters are tried here, where a load takes a fraction of the
// page's (the page's own lab is checked below too).
const HOST = '/hostile-lab-host.html';
const HOST_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>lab</title>
<link rel="icon" href="data:,"><script type="module" src="/norm-lab.js"></script></head>
<body><main><norm-lab use-url></norm-lab></main></body></html>`;

async function hostPage(page) {
  await page.route(`**${HOST}*`, (route) => route.fulfill({ body: HOST_PAGE, contentType: 'text/html' }));
}

const lab = (page) => page.locator('norm-lab');

for (const hostile of HOSTILE) {
  test(`lab-* parameters set to ${hostile} get a notice, and the lab starts`, async ({ page }) => {
    await hostPage(page);
    await page.goto(HOST);
    await expect(lab(page)).toHaveAttribute('data-ready', 'true');
    const defaults = await lab(page).evaluate((element) => element.settings);
    for (const name of LAB_SETTINGS) {
      await page.goto(`${HOST}?lab-${name}=${encodeURIComponent(hostile)}`);
      await expect(lab(page), `lab-${name}=${hostile}`).toHaveAttribute('data-ready', 'true');
      const notice = lab(page).locator('.lab-notice');
      await expect(notice, `lab-${name}=${hostile}`).toBeVisible();
      await expect(notice).toContainText(`Ignored lab-${name}=${JSON.stringify(hostile)}`);
      // The lab keeps its defaults and draws its panels.
      expect(await lab(page).evaluate((element) => element.settings), `lab-${name}=${hostile}`).toEqual(defaults);
      await expect(lab(page).locator('.lab-panel').first()).toBeVisible();
    }
  });

  test(`<norm-lab> attributes set to ${hostile} get a notice, and the lab starts`, async ({ page }) => {
    await hostPage(page);
    await page.goto(HOST);
    await expect(lab(page)).toHaveAttribute('data-ready', 'true');
    for (const name of ['experiment', ...LAB_SETTINGS]) {
      // A fresh element each time, as an embed would write it.
      const ready = await page.evaluate(async ({ name, hostile }) => {
        document.querySelector('norm-lab')?.remove();
        const element = document.createElement('norm-lab');
        element.setAttribute(name, hostile);
        document.querySelector('main').append(element);
        for (let i = 0; i < 200 && element.dataset.ready !== 'true'; i++) await new Promise((r) => setTimeout(r, 25));
        return element.dataset.ready === 'true';
      }, { name, hostile });
      expect(ready, `${name}="${hostile}": the lab never became ready`).toBe(true);
      const notice = lab(page).locator('.lab-notice');
      await expect(notice, `${name}="${hostile}"`).toBeVisible();
      await expect(notice).toContainText(`Ignored ${name === 'experiment' ? 'experiment' : `the attribute ${name}`}=${JSON.stringify(hostile)}`);
      await expect(lab(page).locator('.lab-panel').first()).toBeVisible();
    }
  });

  test(`the page's own parameters set to ${hostile} get a notice, and the page and its lab start`, async ({ page }) => {
    for (const name of [...PAGE_PARAMETERS, 'lab-axis', 'lab-task']) {
      await page.goto(`/?${name}=${encodeURIComponent(hostile)}`);
      await expect(page.locator('body'), `${name}=${hostile}`).toHaveAttribute('data-ready', 'true');
      const notice = name.startsWith('lab-') ? lab(page).locator('.lab-notice') : page.locator('#url-notice');
      await expect(notice, `${name}=${hostile}`).toBeVisible();
      await expect(notice).toContainText(name);
      await expect(notice).toContainText(JSON.stringify(hostile));
      await expect(lab(page)).toHaveAttribute('data-ready', 'true');
    }
  });
}

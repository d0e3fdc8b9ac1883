// State in the URL: a link reopens exactly the same view, and whatever a
// link contains that is not a valid value is dropped with a visible notice,
// never put into the page as markup.
import { test, expect } from './fixtures.js';

async function ready(page, query) {
  await page.goto(`/${query}`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
}

/** The link the page offers once it has settled. */
async function offeredLink(page) {
  await expect(page.locator('#share-url')).not.toHaveValue('');
  await page.waitForTimeout(300);
  return page.locator('#share-url').inputValue();
}

test('parse and serialize are exact inverses (unit, in the browser)', async ({ page }) => {
  await page.goto('/');
  // urlstate.js checks a link against the core's limits, read from wasm.
  await expect(page.locator('html')).toHaveAttribute('data-wasm', 'ready');
  const result = await page.evaluate(async () => {
    const u = await import('/js/urlstate.js');
    const canonical = [
      '',
      'samples=hubble,chelsea,brick&probe=2&size=512&contrast=2.35&brightness=-0.42&gamma=0.3&clip=1&kinds=layer,batch-instance&diff=0&groups=1&rho=0.15&eps=0.001&bn=eval&others=0:0.5:0.15:1:0;1:3:-0.5:0.3:1&embed=1',
      'groups=2&features=1',
      'contrast=0.2&brightness=0.5',
    ];
    const back = canonical.map((q) => u.serializeState(u.parseState(q).state));
    const notices = canonical.map((q) => u.parseState(q).notices.length);
    const again = u.parseState(u.serializeState(u.parseState(canonical[1]).state)).state;
    return { back, notices, again, first: u.parseState(canonical[1]).state };
  });
  expect(result.back).toEqual([
    '',
    'samples=hubble,chelsea,brick&probe=2&size=512&contrast=2.35&brightness=-0.42&gamma=0.3&clip=1&kinds=layer,batch-instance&diff=0&groups=1&rho=0.15&eps=0.001&bn=eval&others=0:0.5:0.15:1:0;1:3:-0.5:0.3:1&embed=1',
    'groups=2&features=1',
    'contrast=0.2&brightness=0.5',
  ]);
  expect(result.notices).toEqual([0, 0, 0, 0]);
  expect(result.again).toEqual(result.first);
  expect(result.first.samples).toEqual(['hubble', 'chelsea', 'brick']);
  expect(result.first.contrast).toBe(2.35);
});

test('every hostile or malformed value falls back to its default (unit)', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('data-wasm', 'ready');
  const cases = await page.evaluate(async () => {
    const u = await import('/js/urlstate.js');
    const queries = [
      'probe=<script>alert(1)</script>',
      'contrast=1e309',
      'contrast=NaN',
      'contrast=0x10',
      'brightness=9',
      'kinds=batch,evil',
      'samples=chelsea,../../etc/passwd',
      'size=100',
      'groups=2',
      'probe=6',
      'clip=yes',
      'bn=<img src=x onerror=alert(1)>',
      'eps=0',
      'contrast=1&contrast=2',
      'nonsense=1',
      'others=0:1:0:1:0',
      'others=1:9:0:1:0',
    ];
    return queries.map((q) => {
      const { state, notices } = u.parseState(q);
      return { q, same: JSON.stringify(state) === JSON.stringify(u.parseState('').state), notices };
    });
  });
  for (const c of cases) {
    expect(c.same, c.q).toBe(true);
    expect(c.notices.length, c.q).toBe(1);
  }
});

test('a link reopens exactly the same view', async ({ page }) => {
  await ready(page, '');
  // Change many things through the controls, as a user would. The first
  // probe keeps its adjustment when another image becomes the probe.
  await page.locator('#tray li').nth(2).getByRole('button', { name: /^Use as probe: / }).click();
  await page.locator('#tray li').nth(4).getByRole('button', { name: /Remove/ }).click();
  await page.locator('#contrast').fill('2.35');
  await page.locator('#brightness').fill('-0.42');
  await page.locator('#gamma').fill('1.6');
  await page.locator('#clip').check();
  await page.locator('.kinds input[data-kind="group"]').check();
  await page.locator('#show-diff').uncheck();
  await page.locator('#rho').fill('0.8');
  await page.locator('#size-select').selectOption('128');
  await page.locator('#eval-mode').check();
  const link = await offeredLink(page);
  expect(new URL(link).search).toContain('contrast=2.35');
  expect(new URL(link).search).toContain('others=0:0.5:0.15:1:0');
  const readout = await page.locator('#readouts').innerText();
  const trayNames = await page.locator('#tray .tray-name').allInnerTexts();

  const other = await page.context().newPage();
  await other.goto(link);
  await expect(other.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect(other.locator('#contrast')).toHaveValue('2.35');
  await expect(other.locator('#brightness')).toHaveValue('-0.42');
  await expect(other.locator('#gamma')).toHaveValue('1.6');
  await expect(other.locator('#clip')).toBeChecked();
  await expect(other.locator('.kinds input[data-kind="group"]')).toBeChecked();
  await expect(other.locator('#show-diff')).not.toBeChecked();
  await expect(other.locator('#rho')).toHaveValue('0.8');
  await expect(other.locator('#size-select')).toHaveValue('128');
  await expect(other.locator('#eval-mode')).toBeChecked();
  expect(await other.locator('#tray .tray-name').allInnerTexts()).toEqual(trayNames);
  await expect(other.locator('#tray li.is-probe .tray-name')).toHaveText('astronaut.jpg');
  await expect.poll(() => other.locator('#readouts').innerText()).toBe(readout);
  await expect(other.locator('#url-notice')).toBeHidden();
  await expect.poll(() => other.locator('#share-url').inputValue()).toBe(link);
  await other.close();
});

test('hostile parameters are neutralised and named in a notice', async ({ page }) => {
  let dialogs = 0;
  page.on('dialog', (d) => {
    dialogs++;
    d.dismiss();
  });
  await ready(page, '?probe=<script>alert(1)</script>&contrast=1e309&kinds=batch,evil&bn=<img src=x onerror=alert(2)>');
  const notice = page.locator('#url-notice');
  await expect(notice).toBeVisible();
  await expect(notice.locator('li')).toHaveCount(4);
  await expect(notice).toContainText('probe="<script>alert(1)</script>"');
  await expect(notice).toContainText('contrast="1e309"');
  await expect(notice).toContainText('"evil" is not a kind');
  // Shown as text: no element was made from the link.
  expect(await page.locator('script:not([src]), img[src="x"]').count()).toBe(0);
  expect(await notice.locator('script, img').count()).toBe(0);
  // Defaults in place.
  await expect(page.locator('#contrast')).toHaveValue('0.5');
  await expect(page.locator('#tray li.is-probe .tray-name')).toHaveText('chelsea.jpg');
  await expect(page.locator('.kinds input[data-kind]:checked')).toHaveCount(0);
  expect(dialogs).toBe(0);
  // The page offers a clean link: the hostile values are gone.
  const link = await offeredLink(page);
  expect(link).not.toMatch(/script|evil|1e309|onerror/);
});

test('embed=1 shows only the batch, the controls and the comparison; Copy link gives the link', async ({ page }) => {
  await ready(page, '?embed=1&contrast=2');
  await expect(page.locator('header')).toBeHidden();
  await expect(page.locator('#why-section')).toBeHidden();
  await expect(page.locator('#classify-section')).toBeHidden();
  await expect(page.locator('#grid canvas.panel').first()).toBeVisible();
  await page.locator('#copy-link').click();
  await expect(page.locator('#status')).toContainText(/copied|copy it/i);
  const link = await offeredLink(page);
  expect(new URL(link).search).toBe('?contrast=2&embed=1');
});

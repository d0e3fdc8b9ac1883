// <norm-lab>'s script API (what the notebook's normscope.Lab drives):
// `settings`, `applySettings(patch)` (checked as the attributes are, a bad
// value named in the notice line and its setting kept, the controls redrawn
// with the new values), `shown` and the 'normlab-change' event.
import { test, expect } from './fixtures.js';

async function embed(page, attributes) {
  await page.goto('/embed.html');
  await page.evaluate(async (attributes) => {
    document.body.insertAdjacentHTML('beforeend', `<norm-lab id="api" ${attributes}></norm-lab>`);
    await import('/norm-lab.js');
  }, attributes);
  const lab = page.locator('#api');
  await expect(lab).toHaveAttribute('data-ready', 'true');
  return lab;
}

test('settings are read and changed from a script, and bad ones are named and kept', async ({ page }) => {
  const lab = await embed(page, 'experiment="lighting" kinds="batch,instance"');
  expect(await lab.evaluate((el) => el.settings)).toMatchObject({ task: 'what', steps: 200, kinds: ['batch', 'instance'], axis: 'contrast', at: 2, lr: 1 });
  expect(await lab.evaluate((el) => el.shown)).toEqual([{ experiment: 'lighting', keys: ['race-what'] }]);
  await expect(lab.locator('[data-experiment="lighting"] tbody tr')).toHaveCount(2);

  // A good patch: the panel is redrawn with its controls showing the values,
  // and the element says what changed.
  const events = await lab.evaluate((el) => {
    const seen = [];
    el.addEventListener('normlab-change', (e) => seen.push(e.detail));
    el.applySettings({ task: 'day-night', axis: 'gamma', at: 1.8, kinds: ['ibn', 'batch', 'instance'] });
    window.seen = seen;
    return seen;
  });
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ task: 'day-night', steps: 200, kinds: ['batch', 'instance', 'ibn'], axis: 'gamma', at: 5, lr: 1 });
  await expect(lab.locator('#lighting-task')).toHaveValue('day-night');
  await expect(lab.locator('#lighting-axis')).toHaveValue('gamma');
  await expect(lab.locator('#lighting-at-value')).toHaveText('gamma γ = 1.8');
  await expect(lab.locator('[data-experiment="lighting"] tbody tr')).toHaveCount(3);
  expect(await lab.evaluate((el) => el.shown)).toEqual([{ experiment: 'lighting', keys: ['race-day-night'] }]);

  // A new axis alone shows its first value; bad values keep their settings.
  const notices = await lab.evaluate((el) => el.applySettings({ axis: 'brightness', steps: 0, lr: 0.3 }));
  expect(notices).toHaveLength(2);
  await expect(lab.locator('.lab-notice')).toContainText('Ignored steps="0": it must be a whole number from 1 to 2000.');
  await expect(lab.locator('.lab-notice')).toContainText('Ignored lr="0.3"');
  const after = await lab.evaluate((el) => el.settings);
  expect(after).toMatchObject({ axis: 'brightness', at: 3, steps: 200, lr: 1 });
  await expect(lab.locator('#lighting-at-value')).toHaveText('brightness b = 0');

  // A setting the patch does not name stays, even one with no attribute (a
  // panel's own, as new experiments may add).
  const kept = await lab.evaluate((el) => {
    el.lab.state.ownSetting = 'kept';
    el.applySettings({ task: 'what' });
    return el.settings;
  });
  expect(kept).toMatchObject({ task: 'what', ownSetting: 'kept', axis: 'brightness', at: 3 });

  // Nothing new: no event, no redraw.
  const count = await lab.evaluate((el) => {
    el.applySettings({ axis: 'brightness' });
    return window.seen.length;
  });
  expect(count).toBe(3);
});

test('a host whose training worker cannot start trains on the page thread instead', async ({ page }) => {
  // The training worker fails at once (as where a host's policy forbids it).
  await page.goto('/embed.html');
  await page.evaluate(async () => {
    const failing = URL.createObjectURL(new Blob(['throw new Error("no workers here");'], { type: 'text/javascript' }));
    const RealWorker = globalThis.Worker;
    globalThis.Worker = class extends RealWorker {
      constructor(url, options) {
        super(String(url).endsWith('/js/lab/worker.js') ? failing : url, options);
      }
    };
    document.body.insertAdjacentHTML('beforeend', '<norm-lab id="api" experiment="race" steps="2" kinds="batch"></norm-lab>');
    await import('/norm-lab.js');
  });
  const lab = page.locator('#api');
  await expect(lab).toHaveAttribute('data-ready', 'true');
  // One seed: on the page's thread every run is slow.
  await lab.getByLabel('Seeds').selectOption('1');
  await lab.locator('.lab-run').click();
  await expect(lab.locator('.lab-status')).toContainText("on this page's thread: the training worker could not start here");
  await expect(lab.locator('.lab-status')).toHaveText('Trained in this browser: 1 networks (1 seed).', { timeout: 60_000 });
  await expect(lab.locator('tbody tr td').first()).toHaveText(/^\d+%, n = 1$/);
});

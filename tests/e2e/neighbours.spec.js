// "Your neighbours matter": replacing the other images moves the probe's
// batch-norm output and leaves its instance-norm output alone; shuffling
// the order moves nothing, because batch statistics ignore order.
import { test, expect } from './fixtures.js';

async function open(page) {
  await page.goto('/');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
}

const names = (page) => page.locator('#tray .tray-name').allTextContents();

test('replacing the neighbours changes batch norm only, with numbers', async ({ page }) => {
  await open(page);
  const before = await names(page);
  await page.getByRole('button', { name: 'Replace the neighbours with other photos' }).click();
  const result = page.locator('#neighbour-result');
  await expect(result).toContainText('Replaced the neighbours of chelsea.jpg');
  await expect(result.locator('[data-kind="batch"]')).toHaveAttribute('data-state', 'changed');
  await expect(result.locator('[data-kind="instance"]')).toHaveAttribute('data-state', 'unchanged');
  await expect(result.locator('[data-kind="batch"]')).toContainText(/max \|Δ\| = \d/);
  const after = await names(page);
  expect(after).toHaveLength(before.length);
  expect(after[0]).toBe('chelsea.jpg');
  // Every neighbour is a photo that was not in the batch before.
  for (const name of after.slice(1)) expect(before).not.toContain(name);
});

test('shuffling the batch order changes no output at all', async ({ page }) => {
  await open(page);
  const before = await names(page);
  await page.getByRole('button', { name: 'Shuffle the batch order' }).click();
  const result = page.locator('#neighbour-result');
  await expect(result).toContainText('Shuffled the order of the batch');
  for (const kind of ['batch', 'instance']) {
    await expect(result.locator(`[data-kind="${kind}"]`)).toHaveAttribute('data-state', 'unchanged');
  }
  expect((await names(page)).sort()).toEqual([...before].sort());
});

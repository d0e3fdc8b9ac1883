// The lab's third task, "Your photos": a task built in the page from the
// example set (assets/examples/photos: cat, coffee, rocket, three PNGs each)
// races every kind in workers, and each run's record equals the one
// `normscope train --task-dir assets/examples/photos --norm KIND --steps 4
// --seed 1` writes (the CLI runs in beforeAll: nothing here is typed in by
// hand). Then every bad input gets its own message naming the class or the
// file while the rest stays; axe at 1280 and 375 px; screenshots of the
// builder and its race in tests/e2e/artifacts/.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect } from './fixtures.js';
import { wcagAxe } from './axe.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLES = join(ROOT, 'assets', 'examples', 'photos');
const CLASSES = readdirSync(EXAMPLES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const filesOf = (name) => readdirSync(join(EXAMPLES, name)).sort().map((f) => join(EXAMPLES, name, f));
const KINDS = JSON.parse(readFileSync(join(ROOT, 'www', 'lab', 'vocabulary.json'))).kinds;
const STEPS = 4;
const SHOTS = join(ROOT, 'tests', 'e2e', 'artifacts');

const lab = (page) => page.locator('norm-lab');
const builder = (page) => lab(page).locator('[data-builder="photos"]');
const classBox = (page, k) => builder(page).locator('fieldset.photos-class').nth(k);

/** The CLI's records for every kind, written by the CLI itself. */
let cliRecords = null;
test.beforeAll(() => {
  test.setTimeout(600_000);
  const out = mkdtempSync(join(tmpdir(), 'normscope-photos-'));
  // `cargo xtask test` builds the CLI once and names it; run alone, build it here.
  let cli = process.env.NORMSCOPE_CLI;
  if (!cli) {
    execFileSync('cargo', ['build', '--release', '-q', '--bin', 'normscope'], { cwd: ROOT, stdio: 'inherit' });
    cli = join(ROOT, 'target', 'release', 'normscope');
  }
  cliRecords = {};
  for (const kind of KINDS) {
    const file = join(out, `${kind}.json`);
    execFileSync(cli, ['train', '--task-dir', EXAMPLES, '--norm', kind, '--steps', String(STEPS), '--seed', '1', '--out', file], { cwd: ROOT, stdio: 'pipe' });
    cliRecords[kind] = JSON.parse(readFileSync(file, 'utf8'));
  }
});

async function open(page, width = 1280) {
  await page.setViewportSize({ width, height: 800 });
  await page.goto(`/?lab-task=photos&lab-steps=${STEPS}&lab-seeds=1#lab`);
  await expect(lab(page)).toHaveAttribute('data-ready', 'true');
  await expect(builder(page)).toBeVisible();
}

async function nameClass(page, k, name) {
  const input = classBox(page, k).locator('input[type="text"]');
  await input.fill(name);
  await input.press('Tab');
  await expect(classBox(page, k).locator('legend')).toContainText(`: ${name} —`);
}

async function addFiles(page, k, files) {
  await classBox(page, k).locator('input[type="file"]').setInputFiles(files);
}

/** Build the example task: one class per folder, named after it. */
async function buildExample(page) {
  while (await builder(page).locator('fieldset.photos-class').count() < CLASSES.length) await builder(page).getByRole('button', { name: 'Add a class' }).click();
  for (const [k, name] of CLASSES.entries()) {
    await nameClass(page, k, name);
    await addFiles(page, k, filesOf(name));
    await expect(classBox(page, k).locator('legend')).toContainText(`${filesOf(name).length} photos`);
  }
  await expect(builder(page).locator('.photos-ready')).toContainText(`Ready: ${CLASSES.length} classes (${CLASSES.join(', ')})`);
}

/** Numbers compared as float32 (the CLI prints f32, JS reads their exact f64), the rest exactly. */
function differsAt(a, b, path = 'record') {
  if (typeof b === 'number') return typeof a === 'number' && Math.fround(a) === Math.fround(b) ? null : `${path}: ${a} here, ${b} from the CLI`;
  if (Array.isArray(b)) {
    if (!Array.isArray(a) || a.length !== b.length) return `${path}: length ${a?.length} here, ${b.length} from the CLI`;
    for (let i = 0; i < b.length; i++) {
      const d = differsAt(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (b && typeof b === 'object') {
    const keys = new Set([...Object.keys(a ?? {}), ...Object.keys(b)]);
    for (const k of keys) {
      const d = differsAt(a?.[k], b[k], `${path}.${k}`);
      if (d) return d;
    }
    return null;
  }
  // serde-wasm-bindgen hands over a None as undefined; JSON writes null.
  if (b === null && a === undefined) return null;
  return a === b ? null : `${path}: ${JSON.stringify(a)} here, ${JSON.stringify(b)} from the CLI`;
}

test('a task built from the example files races every kind in workers, each record equal to the CLI\'s', async ({ page }) => {
  test.setTimeout(180_000);
  await open(page);
  await buildExample(page);
  await builder(page).screenshot({ path: join(SHOTS, 'lab-photos-builder-1280.png') });
  const race = lab(page).locator('[data-experiment="race"]');
  await expect(race.locator('#race-task')).toHaveValue('photos');
  await expect(race.locator('.lab-status')).toContainText('Your photos have no recording');
  await race.getByRole('button', { name: 'Run it here' }).click();
  await expect(race.locator('.lab-status')).toContainText(`Trained in this browser: ${KINDS.length} networks (1 seed)`, { timeout: 150_000 });
  await expect(race.locator('tbody tr')).toHaveCount(KINDS.length);
  for (const row of await race.locator('tbody tr').all()) await expect(row.locator('.lab-match')).toHaveText('no recording of your photos');
  const records = await lab(page).evaluate((el) => {
    const key = el.shown.find((s) => s.experiment === 'race').keys[0];
    return el.store.runs(key).runs.map((r) => r.record);
  });
  expect(records).toHaveLength(KINDS.length);
  for (const record of records) {
    const kind = record.config.norm;
    expect(record.config.task).toBe('photos');
    expect(record.classes).toEqual(CLASSES);
    expect(differsAt(record, cliRecords[kind]), `${kind}: the page's record against normscope train --task-dir`).toBeNull();
  }
  await expect(race.locator('.lab-conclusion')).toContainText('your photos');
  await race.screenshot({ path: join(SHOTS, 'lab-photos-race-1280.png') });
  // Every panel that trains on "what is it?" follows the task, with nothing recorded to show.
  for (const experiment of ['pooled', 'batch', 'neighbours', 'evalmode', 'lr', 'noise']) {
    await expect(lab(page).locator(`[data-experiment="${experiment}"] .lab-status`).first(), experiment).toContainText('Your photos have no recording');
  }
  // The link names the task only, and says so.
  expect(new URL(page.url()).searchParams.get('lab-task')).toBe('photos');
  await expect(builder(page).locator('.photos-private')).toContainText('cannot carry them');
});

test('every bad input gets its own message naming the class or the file, and the rest stays', async ({ page }) => {
  test.setTimeout(120_000);
  await open(page);
  const ready = builder(page).locator('.photos-ready');
  // Two empty classes: a class with no photo.
  await expect(ready).toContainText('has no photo');
  await nameClass(page, 0, 'cat');
  await addFiles(page, 0, filesOf('cat'));
  await expect(ready).toContainText('class "class 2" has no photo: add at least one');
  // Fewer than 2 classes.
  await classBox(page, 1).getByRole('button', { name: /^Remove class/ }).click();
  await expect(ready).toContainText('a task needs at least 2 classes to tell apart; got 1 ("cat")');
  await builder(page).getByRole('button', { name: 'Add a class' }).click();
  // Two classes with the same name (ignoring case).
  await nameClass(page, 1, 'Cat');
  await addFiles(page, 1, filesOf('coffee'));
  await expect(ready).toContainText('classes "cat" and "Cat" have the same name');
  await nameClass(page, 1, 'coffee');
  await expect(ready).toContainText('Ready: 2 classes (cat, coffee)');
  // A corrupt file, an unsupported one, a stray non-image, a photo too small to split.
  const png = readFileSync(filesOf('cat')[0]);
  const small = Buffer.from(await page.evaluate(async () => {
    const c = new OffscreenCanvas(60, 30);
    c.getContext('2d').fillRect(0, 0, 30, 30);
    return [...new Uint8Array(await (await c.convertToBlob({ type: 'image/png' })).arrayBuffer())];
  }));
  const heic = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic'), Buffer.alloc(40)]);
  await addFiles(page, 0, [
    { name: 'cut.png', mimeType: 'image/png', buffer: png.subarray(0, png.length >> 1) },
    { name: 'phone.heic', mimeType: 'image/heic', buffer: heic },
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a photo') },
    { name: 'tiny.png', mimeType: 'image/png', buffer: small },
  ]);
  const notes = classBox(page, 0).locator('.photos-notes li');
  await expect(notes).toHaveCount(4);
  await expect(notes.nth(0)).toContainText(/^cut\.png: .*(cut short|damaged)/);
  await expect(notes.nth(1)).toContainText(/^phone\.heic: .*HEIC/);
  await expect(notes.nth(2)).toHaveText('notes.txt: not a photo (normscope reads PNG, JPEG, GIF, BMP and WebP files), skipped.');
  await expect(notes.nth(3)).toContainText('cat/tiny.png is 60×30 pixels, too small to give a training patch and a test patch that never overlap; a photo needs at least 72×32');
  // The class kept its photos; the task is still ready.
  await expect(classBox(page, 0).locator('legend')).toContainText('3 photos');
  await expect(ready).toContainText('Ready: 2 classes (cat, coffee)');
  // Over the limit of photos per class (stated in the builder).
  await expect(builder(page)).toContainText('up to 50 photos per class and 16 megapixels together after scaling');
  const many = Array.from({ length: 48 }, (_, i) => ({ name: `copy-${String(i).padStart(2, '0')}.png`, mimeType: 'image/png', buffer: png }));
  await addFiles(page, 0, many);
  await expect(classBox(page, 0).locator('legend')).toContainText('50 photos', { timeout: 60_000 });
  await expect(classBox(page, 0).locator('.photos-notes li')).toHaveText([
    'copy-47.png: class "cat" already has 50 photos, the most a class takes; not added.',
  ]);
  await expect(ready).toContainText('Ready: 2 classes (cat, coffee)');
});

test('a class takes the photos of the batch above, as the page keeps them', async ({ page }) => {
  test.setTimeout(60_000);
  await open(page);
  await expect(page.locator('#status')).toContainText('sample photos loaded');
  const names = await page.locator('#tray .tray-item .tray-name').allTextContents();
  expect(names.length).toBeGreaterThan(1);
  await nameClass(page, 1, 'samples');
  await classBox(page, 1).getByRole('button', { name: 'Take the batch above' }).click();
  await expect(classBox(page, 1).locator('legend')).toContainText(`${names.length} photos`);
  await expect(classBox(page, 1).locator('.photos-name')).toHaveText(names);
  await nameClass(page, 0, 'cat');
  await addFiles(page, 0, filesOf('cat'));
  await expect(builder(page).locator('.photos-ready')).toContainText('Ready: 2 classes (cat, samples)');
  // Copy link keeps the task's name and says the photos cannot go with it.
  await page.locator('#copy-link').click();
  await expect(page.locator('#status')).toContainText('the link cannot carry them');
  expect(new URL(await page.locator('#share-url').inputValue()).searchParams.get('lab-task')).toBe('photos');
});

for (const width of [1280, 375]) {
  test(`the photo task builder passes axe at ${width} px and fits the screen`, async ({ page }) => {
    test.setTimeout(60_000);
    await open(page, width);
    await nameClass(page, 0, 'cat');
    await addFiles(page, 0, filesOf('cat'));
    await expect(classBox(page, 0).locator('legend')).toContainText('3 photos');
    await addFiles(page, 1, [{ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('x') }]);
    await expect(classBox(page, 1).locator('.photos-notes li')).toHaveCount(1);
    const results = await wcagAxe(page).include('norm-lab').analyze();
    expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    const overflow = await builder(page).evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await builder(page).screenshot({ path: join(SHOTS, `lab-photos-builder-${width}.png`) });
  });
}

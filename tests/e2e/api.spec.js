// The README's JavaScript snippet runs as written against the built pkg/,
// so the documentation cannot drift from the API.
import { readFileSync } from 'node:fs';
import { test, expect } from './fixtures.js';

function readmeSnippet() {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## The JavaScript API'));
  const match = section.match(/```js\n([\s\S]*?)```/);
  if (!match) throw new Error('README has no ```js block under "The JavaScript API"');
  return match[1];
}

test('the README snippet runs and its bad call throws a readable Error', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('data-wasm', 'ready');
  // Turn the static import into a dynamic one so the snippet can run as a function body.
  const body = readmeSnippet().replace(
    /^import init, \{ (.*) \} from '\.\/pkg\/normscope\.js';$/m,
    (_, names) => `const { default: init, ${names} } = await import('/pkg/normscope.js');`,
  );
  expect(body).not.toContain('import init');
  const result = await page.evaluate(async (code) => {
    const logged = [];
    const console = { log: (...args) => logged.push(args.join(' ')) };
    const run = new Function('console', `return (async () => { ${code}\n return { y, out }; })();`);
    const { y, out } = await run(console);
    return { logged, yLength: y.length, outFinite: Array.from(out).every(Number.isFinite), y0: y[0] };
  }, body);
  expect(result.yLength).toBe(2 * 3 * 4 * 4);
  expect(result.outFinite).toBe(true);
  expect(Number.isFinite(result.y0)).toBe(true);
  expect(result.logged).toHaveLength(1);
  expect(result.logged[0]).toMatch(/shape must be an array of four positive integers/);
});

test('rows, columns, kinds and modes outside their string enums are refused by name', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('data-wasm', 'ready');
  const messages = await page.evaluate(async () => {
    const { Session } = await import('/pkg/normscope.js');
    const s = new Session(16);
    s.addRgba('grey', new Uint8ClampedArray(16 * 16 * 4).fill(128), 16, 16);
    const said = (f) => {
      try {
        f();
        return 'no error';
      } catch (e) {
        return e.message;
      }
    };
    const out = {
      row: said(() => s.panelPixels('sideways', 'batch')),
      column: said(() => s.panelPixels('original', 'diff-nothing')),
      kind: said(() => s.outputMeans('median')),
      mode: said(() => s.setBnMode('test')),
      good: said(() => s.panelPixels('adjusted', 'diff-group').length),
    };
    s.free();
    return out;
  });
  expect(messages.row).toMatch(/row must be 'original' or 'adjusted'/);
  expect(messages.column).toMatch(/column must be 'input', a kind/);
  expect(messages.kind).toMatch(/the kind must be 'batch', 'instance'/);
  expect(messages.mode).toMatch(/batch-norm mode must be 'train' or 'eval'/);
  expect(messages.good).toBe('no error');
});

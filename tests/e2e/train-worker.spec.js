// The one training bridge (www/js/lab/pool.js → worker.js → the engine's
// wasm Trainer), as the lab, the bench and these tests use it: a run in a
// worker gives the native CLI's record, a stop ends a run between steps, and
// bad configs and divergence come back as readable errors.
import { readFileSync } from 'node:fs';
import { test, expect } from './fixtures.js';

const fixture = (name) => JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));

test.beforeEach(async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('data-wasm', 'ready');
});

test('a run in a worker gives the native CLI record, bit for bit', async ({ page }) => {
  test.setTimeout(120_000);
  const want = fixture('train-batch-5.json');
  const got = await page.evaluate(async () => {
    const { train } = await import('/js/lab/pool.js');
    const progress = [];
    const { record } = await train({ norm: 'batch', steps: 5, batch: 8 }, { onProgress: (p) => progress.push(p) });
    return { record, progress };
  });
  // The CLI writes each f32 in its shortest decimal form (0.05); the worker
  // sends the f32 itself as a JS number (0.05000000074505806): equal once
  // both are rounded to f32.
  const f32 = (xs) => xs.map((x) => Math.fround(x));
  const exact = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? Math.fround(v) : v]));
  expect(exact(got.record.config)).toEqual(exact(want.config));
  expect(f32(got.record.loss)).toEqual(f32(want.loss));
  expect(Math.fround(got.record.test_accuracy)).toBe(Math.fround(want.test_accuracy));
  expect(got.record.shift.map((s) => Math.fround(s.accuracy))).toEqual(want.shift.map((s) => Math.fround(s.accuracy)));
  expect(got.record.running.map((r) => f32(r.var))).toEqual(want.running.map((r) => f32(r.var)));
  expect(got.progress.length).toBeGreaterThan(0);
  expect(got.progress.at(-1)).toMatchObject({ step: 5, steps: 5 });
});

test('stop ends a run between steps; six runs share the workers', async ({ page }) => {
  test.setTimeout(120_000);
  const r = await page.evaluate(async () => {
    const { train } = await import('/js/lab/pool.js');
    const stop = new AbortController();
    let seen = 0;
    const t0 = performance.now();
    const outcome = await train({ norm: 'instance', steps: 100000, batch: 8, eval_every: 100000 }, {
        signal: stop.signal,
        onProgress: (p) => {
          seen = p.step;
          if (p.step >= 3) stop.abort();
        },
      })
      .then(() => ({ name: 'finished' }), (e) => ({ name: e.name, message: e.message, step: e.step }));
    const stoppedAfterMs = performance.now() - t0;
    // The same worker takes the next run at once.
    const next = (await train({ norm: 'none', steps: 2, batch: 4, eval_every: 100 })).record;
    const many = await Promise.all(
      ['none', 'batch', 'instance', 'layer', 'group', 'batch-instance'].map((norm) => train({ norm, steps: 2, batch: 4, eval_every: 100 })),
    );
    return { outcome, seen, stoppedAfterMs, next: next.loss.length, many: many.map(({ record: m }) => [m.config.norm, m.loss.length]) };
  });
  expect(r.outcome.name).toBe('AbortError');
  expect(r.outcome.step).toBeGreaterThanOrEqual(3);
  expect(r.outcome.step).toBeLessThan(100000);
  expect(r.outcome.message).toBe(`stopped at step ${r.outcome.step}`);
  expect(r.stoppedAfterMs).toBeLessThan(60_000);
  expect(r.next).toBe(2);
  expect(r.many).toEqual([
    ['none', 2],
    ['batch', 2],
    ['instance', 2],
    ['layer', 2],
    ['group', 2],
    ['batch-instance', 2],
  ]);
});

test('bad configs and a diverging run reject with the engine message', async ({ page }) => {
  const r = await page.evaluate(async () => {
    const { train } = await import('/js/lab/pool.js');
    const fail = (config) => train(config).then(({ record }) => record.diverged?.message ?? 'accepted', (e) => e.message);
    return {
      groups: await fail({ norm: 'group', groups: 3 }),
      lr: await fail({ lr: -1 }),
      camel: await fail({ weightDecay: 0.1 }),
      diverged: await fail({ norm: 'none', lr: 1e30, steps: 40, batch: 4, eval_every: 100 }),
    };
  });
  expect(r.groups).toMatch(/groups must divide the number of channels/);
  expect(r.lr).toMatch(/learning rate must be a number greater than 0/);
  expect(r.camel).toMatch(/did you mean weight_decay\?/);
  // The pool resolves a diverged run (the lab draws the steps before it); its record says where.
  expect(r.diverged).toMatch(/^diverged at step \d+: lower the learning rate$/);
});

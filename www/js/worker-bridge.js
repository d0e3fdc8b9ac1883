// What every worker of the page shares (the training pool, lab/pool.js, and
// the decode queue, engine.js): the error a stopped job rejects with, and the
// zero-delay yield that lets a waiting message (a stop) in between two slices
// of work. Workers start through assets.js's startWorker (each copy of the
// page knows how); this module must not import assets.js, because the
// workers import this one and a bundler would see a worker start itself.

/** The rejection of a stopped job; `step` is where it stopped (null: before it began). */
export function abortError(step = null) {
  const e = new Error(step == null ? 'stopped' : `stopped at step ${step}`);
  e.name = 'AbortError';
  e.step = step;
  return e;
}

/** Let queued messages in: a zero-delay task, not a clamped timer. */
export function yieldToMessages() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

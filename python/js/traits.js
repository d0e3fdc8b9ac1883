// Writing traits from the front end, shared by both widgets.

/** Equal as the kernel would see them (plain JSON values). */
export const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** Set the traits in `values` that differ, in one message to the kernel. */
export function setTraits(model, values) {
  let changed = false;
  for (const [name, value] of Object.entries(values)) {
    if (!same(model.get(name), value)) {
      model.set(name, value);
      changed = true;
    }
  }
  if (changed) model.save_changes();
}

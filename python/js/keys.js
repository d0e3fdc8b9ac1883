// Keys pressed inside a widget belong to the widget, but for the ones with
// Ctrl/Meta/Alt (save, the command palette…) and Shift+Enter (run the
// cell), which stay the notebook's. Notebooks read keydown events for their
// own shortcuts and call preventDefault: in command mode ArrowUp/ArrowDown
// select the cell above/below, Enter edits the cell, A/B/X/D… act on
// cells, so a focused slider inside the widget would never move.
// - JupyterLab listens as the event bubbles to the document: stopping it
//   at the widget is enough (as ipywidgets' own controls do).
// - Jupyter Notebook 7 listens while the event is captured, before it
//   reaches the widget. Its shortcut registry (Lumino's) skips an event
//   whose target sits inside an element marked data-lm-suppress-shortcuts,
//   so the mark is set for the widget's own keys just before the notebook
//   looks (a capture listener on window runs before the document's). It
//   goes on the event's target as the document sees it (the element's
//   shadow host): the registry matches selectors such as `:focus` from
//   there before it looks further up.
const notebooks = (event) => event.ctrlKey || event.metaKey || event.altKey || (event.key === 'Enter' && event.shiftKey);

export function keepKeys(el) {
  const onKeydown = (event) => {
    if (!notebooks(event)) event.stopPropagation();
  };
  const mark = (event) => {
    const path = event.composedPath();
    if (!path.includes(el)) return;
    const seen = path.find((node) => node instanceof Element && node.getRootNode() === el.getRootNode());
    seen?.toggleAttribute('data-lm-suppress-shortcuts', !notebooks(event));
  };
  el.addEventListener('keydown', onKeydown);
  window.addEventListener('keydown', mark, true);
  return () => {
    el.removeEventListener('keydown', onKeydown);
    window.removeEventListener('keydown', mark, true);
  };
}

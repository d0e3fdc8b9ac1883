// Keys pressed inside a widget belong to the widget. JupyterLab reads
// keydown events as they bubble to the document and, in a notebook's
// command mode, takes ArrowUp/ArrowDown (select the cell above/below),
// Enter (edit the cell), A/B/X/D… for itself, calling preventDefault: a
// focused slider inside the widget then never moves. ipywidgets' own
// controls stop those events from bubbling; so does this, for every key
// but the ones with Ctrl/Meta/Alt (save, the command palette…) and
// Shift+Enter (run the cell), which stay the notebook's.
export function keepKeys(el) {
  const onKeydown = (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === 'Enter' && event.shiftKey) return;
    event.stopPropagation();
  };
  el.addEventListener('keydown', onKeydown);
  return () => el.removeEventListener('keydown', onKeydown);
}

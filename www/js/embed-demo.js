// embed.html: show each widget's `normscope-change` events as plain text,
// the way a host page would listen to them.
for (const id of ['first', 'second']) {
  const widget = document.getElementById(id);
  const log = document.getElementById(`${id}-log`);
  widget.addEventListener('normscope-change', (event) => {
    const { adjustment, kinds } = event.detail;
    const words = kinds.map((k) => `${k.kind} ${k.unchanged ? 'unchanged' : `Δ ${k.maxAbs.toFixed(2)}`}`).join(', ');
    log.textContent = `${id} widget: contrast ${adjustment.contrast.toFixed(2)} → ${words}`;
  });
}

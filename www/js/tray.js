// The batch tray: thumbnails with probe / move / remove buttons. File names
// reach the DOM only as text.

function button(label, title, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.title = title;
  b.setAttribute('aria-label', title);
  b.addEventListener('click', onClick);
  return b;
}

function drawInput(session, index, canvas) {
  const size = session.size;
  canvas.width = size;
  canvas.height = size;
  const view = session.inputPixels(index); // short-lived view of wasm memory: use at once
  canvas.getContext('2d').putImageData(new ImageData(view, size, size), 0, 0);
}

/**
 * Render the tray for `session` into `list`. `actions` has
 * probe(i), move(from, to) and remove(i).
 */
export function renderTray(list, session, actions) {
  list.replaceChildren();
  const n = session.length;
  for (let i = 0; i < n; i++) {
    const name = session.name(i);
    const item = document.createElement('li');
    item.className = 'tray-item' + (i === session.probe ? ' is-probe' : '');
    const canvas = document.createElement('canvas');
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `Input image ${i + 1}: ${name}`);
    drawInput(session, i, canvas);
    const caption = document.createElement('span');
    caption.className = 'tray-name';
    caption.textContent = name;
    caption.title = name;
    const tools = document.createElement('div');
    tools.className = 'tray-buttons';
    // The accessible name starts with the visible text (WCAG 2.5.3: speech users say what they see).
    const probeText = i === session.probe ? 'Probe' : 'Use as probe';
    const probe = button(probeText, `${probeText}: ${name}`, () => actions.probe(i));
    probe.setAttribute('aria-pressed', String(i === session.probe));
    tools.append(
      probe,
      button('◀', `Move ${name} left`, () => actions.move(i, i - 1)),
      button('▶', `Move ${name} right`, () => actions.move(i, i + 1)),
      button('✕', `Remove ${name}`, () => actions.remove(i)),
    );
    tools.children[1].disabled = i === 0;
    tools.children[2].disabled = i === n - 1;
    tools.children[3].disabled = n <= 1;
    item.append(canvas, caption, tools);
    list.append(item);
  }
}

// Small DOM helpers for the lab's panels: elements from tag, attributes and
// children (text always as text nodes, never parsed as HTML).

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value == null) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) if (child != null) el.append(child);
  return el;
}

/** A legend: one item per kind, a short line in its colour and dash (SVG, hidden from screen readers). */
export function legend(kinds, style) {
  const NS = 'http://www.w3.org/2000/svg';
  return h('ul', { class: 'lab-legend', 'aria-label': 'Line styles' },
    kinds.map((kind) => {
      const s = style(kind);
      const svg = document.createElementNS(NS, 'svg');
      svg.setAttribute('width', '28');
      svg.setAttribute('height', '10');
      svg.setAttribute('aria-hidden', 'true');
      const line = document.createElementNS(NS, 'line');
      for (const [k, v] of Object.entries({ x1: 0, y1: 5, x2: 28, y2: 5, stroke: s.color, 'stroke-width': 2.5, 'stroke-dasharray': s.dash.join(' ') || 'none' })) line.setAttribute(k, String(v));
      svg.append(line);
      return h('li', {}, svg, ` ${s.label}`);
    }));
}

/** A chart figure: a canvas (an image with a text alternative) and a caption. */
export function figure(id, caption, alt) {
  const canvas = h('canvas', { id, class: 'lab-chart', role: 'img', 'aria-label': alt });
  return { canvas, element: h('figure', { class: 'lab-figure' }, canvas, h('figcaption', { text: caption })) };
}

/**
 * A labelled select. `setting`: the lab.state key it shows, when other
 * panels show the same one (norm-lab.js keeps them all in step).
 */
/**
 * Size `canvas` to its displayed size × devicePixelRatio and clear it:
 * { ctx (drawing in CSS pixels), w, h }, or null while it is not displayed.
 */
export function fitCanvas(canvas) {
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  if (w === 0 || h === 0) return null;
  const dpr = window.devicePixelRatio || 1;
  const [pw, ph] = [Math.round(w * dpr), Math.round(h * dpr)];
  if (canvas.width !== pw || canvas.height !== ph) {
    canvas.width = pw;
    canvas.height = ph;
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  return { ctx, w, h };
}

export function select(id, label, options, value, onchange, setting = null) {
  const el = h('select', { id, 'data-setting': setting, onchange: () => onchange(el.value) },
    options.map(([v, text]) => h('option', { value: v, selected: String(v) === String(value) }, text)));
  return h('div', { class: 'lab-control' }, h('label', { for: id, text: label }), el);
}

export const seconds = (s) => (Number.isFinite(s) ? `${s.toFixed(1)} s` : '—');

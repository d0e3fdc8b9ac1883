// The normalization formula in MathML, with the live numbers of the cube's
// selection plugged in: y = (x − μ) / √(σ² + ε).
import { KIND_LABELS, channelName, fmt, fmtSmall } from './format.js';

const MATH = 'http://www.w3.org/1998/Math/MathML';

function m(name, ...children) {
  const node = document.createElementNS(MATH, name);
  for (const child of children) node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  return node;
}

const mi = (t) => m('mi', t);
const mo = (t) => m('mo', t);

/** A number as MathML: 0.4312, or 1.0 × 10^−5 for very small or large ones. */
function num(x, digits = 4) {
  const text = fmtSmall(x, digits);
  const match = /^(-?[\d.]+)e([+-]\d+)$/.exec(text);
  if (!match) return m('mn', text.replace('-', '−'));
  const [, mant, exp] = match;
  return m('mrow', m('mn', mant.replace('-', '−')), mo('×'),
    m('msup', m('mn', '10'), m('mn', exp.replace('+', '').replace('-', '−'))));
}

/** y = (x − μ) / √(σ² + ε) with `x`, `mu`, `var`, `eps` as MathML nodes. */
function equation(lhs, x, mu, variance, eps) {
  return m('math', m('mrow',
    lhs, mo('='),
    m('mfrac',
      m('mrow', x, mo('−'), mu),
      m('msqrt', m('mrow', variance, mo('+'), eps)))));
}

export class Formula {
  constructor(root) {
    this.root = root;
    this.symbolic = root.querySelector('.formula-symbolic');
    this.numeric = root.querySelector('.formula-numeric');
    this.where = root.querySelector('.formula-where');
    this.check = root.querySelector('.formula-check');
    this.symbolic.replaceChildren(
      block(equation(mi('y'), mi('x'), mi('μ'), m('msup', mi('σ'), m('mn', '2')), mi('ε'))));
  }

  /**
   * Show the formula for the cube's selection: image `n`, channel `c`,
   * pixel (`y`, `x`), with the statistics `stats` the core used.
   */
  update(session, { kind, n, c, y, x, stats, eps, evalMode }) {
    const value = session.inputValue(n, c, y, x);
    const result = (value - stats.mean) / Math.sqrt(stats.var + eps);
    this.root.dataset.x = String(value);
    this.root.dataset.y = String(result);
    this.root.dataset.image = String(n);
    this.root.dataset.channel = String(c);
    this.root.dataset.row = String(y);
    this.root.dataset.column = String(x);
    this.root.dataset.kind = kind;

    const eq = equation(mi('y'), num(value), num(stats.mean), num(stats.var), num(eps));
    eq.firstChild.append(mo('='), num(result));
    this.numeric.replaceChildren(block(eq));
    const label = `y = (${fmt(value, 4)} − ${fmt(stats.mean, 4)}) / √(${fmtSmall(stats.var, 4)} + ${fmtSmall(eps, 4)}) = ${fmt(result, 4)}`;
    eq.setAttribute('alttext', label);

    const probe = n === session.probe;
    const whose = probe
      ? 'the probe as loaded, as in the grid\'s original row, without the slider change'
      : `${session.name(n)}, with its own adjustment if it has one`;
    const from = evalMode
      ? 'μ and σ² are batch norm\'s running statistics (evaluation mode)'
      : `μ and σ² are the ${KIND_LABELS[kind]} statistics over the highlighted values (${stats.count.toLocaleString('en-US')} of them)`;
    const what = session.channels === 3
      ? `channel ${channelName(c, 3)}`
      : `feature map ${channelName(c, session.channels)} — a filter's response, not a pixel's colour —`;
    this.where.textContent = `x is ${what} of image ${n} (${whose}) at pixel row ${y}, column ${x}; `
      + `${from}; ε = ${eps.toExponential(0)} keeps the division safe when σ² is 0.`;

    // The core normalizes the same value itself: show that the two agree.
    const core = session.outputValue(kind, n, c, y, x);
    this.check.textContent = probe
      ? `The core's own output at this pixel (the value behind the grid's ${KIND_LABELS[kind]} panel) is ${fmt(core, 4)}.`
      : `The core computes ${fmt(core, 4)} for this value (only the probe's outputs are drawn in the grid).`;
    this.check.dataset.value = String(core);
  }
}

function block(math) {
  math.setAttribute('display', 'block');
  return math;
}

// Building the page without markup: every string from the data goes in as a
// text node (textContent), never through innerHTML, so names such as
// `<script>` or terminal escape sequences stay text.

/** An element: h('a', {href: '#/x', class: 'c'}, 'text', child, …). Attributes
 *  beginning with `on` are event listeners; others are set with setAttribute. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces the children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/** A table: columns [{label, get(row) -> string|Node}], rows. */
export function table(columns, rows, attrs) {
  return h('table', attrs || {},
    h('thead', {}, h('tr', {}, columns.map(c => h('th', {}, c.label)))),
    h('tbody', {}, rows.map(r => h('tr', {}, columns.map(c => h('td', {}, c.get(r)))))));
}

// One formatter for every integer (toLocaleString builds one per call: tens of ms on a large group page).
const INTEGER = new Intl.NumberFormat('en');

/** Numbers for people. */
export function fmt(x, digits = 2) {
  if (x === null || x === undefined) return '';
  if (typeof x !== 'number') return String(x);
  if (Number.isInteger(x)) return INTEGER.format(x);
  return x.toFixed(digits);
}

/** UNIX seconds as UTC. */
export function utc(secs) {
  return new Date(secs * 1000).toISOString().replace('.000Z', 'Z');
}

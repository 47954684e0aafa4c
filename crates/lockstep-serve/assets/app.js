// Lockstep serve: the page. Routes live in the address's hash
// (#/run/3/group/1?node=…&a=…&b=…&cam=…), so every view can be restored
// from its URL and sent as a link.

import { h, replace, table, fmt } from './dom.js';
import * as views from './views.js';
import * as live from './live.js';

/** Calls the API; mutating requests carry the CSRF header. Throws with the server's message. */
export async function api(path, opts = {}) {
  const headers = Object.assign({}, opts.headers || {});
  const method = opts.method || 'GET';
  if (method !== 'GET') headers['X-Lockstep-Request'] = '1';
  if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(opts.json);
  }
  const res = await fetch('/api/v1' + path, { method, headers, body: opts.body, credentials: 'same-origin' });
  if (!res.ok) {
    let msg = res.status + ' ' + res.statusText;
    try { msg = (await res.json()).error || msg; } catch (_) { /* not JSON */ }
    throw new Error(msg);
  }
  return res.status === 204 ? null : res.json();
}

/** The current route: path parts and query parameters of the hash. */
export function route() {
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, query] = hash.split('?');
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(query || '') };
}

/** A hash link. */
export function link(path, params) {
  const q = params ? new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '')).toString() : '';
  return '#' + path + (q ? '?' + q : '');
}

/** Records view state in the address without reloading the view. */
export function setParams(updates) {
  const r = route();
  for (const [k, v] of Object.entries(updates)) {
    if (v === undefined || v === null || v === '') r.params.delete(k); else r.params.set(k, v);
  }
  const q = r.params.toString();
  history.replaceState(null, '', '#/' + r.parts.map(encodeURIComponent).join('/') + (q ? '?' + q : ''));
  views.showShareLink();
}

const view = () => document.getElementById('view');

export function showError(err) {
  replace(view(), h('p', { class: 'error', role: 'alert' }, 'Error: ', err.message || String(err)));
}

async function render() {
  const r = route();
  window.__lockstep = { ready: false };
  const crumbs = document.getElementById('crumbs');
  const searchForm = document.getElementById('search-form');
  replace(crumbs);
  searchForm.hidden = true;
  live.stop();
  try {
    if (r.parts[0] === 'live') {
      await live.live(view());
    } else if (r.parts[0] === 'run' && r.parts[1]) {
      const id = r.parts[1];
      crumbs.append(h('a', { href: link('/run/' + id) }, 'Run ' + id), ' · ', h('a', { href: link('/run/' + id + '/case') }, 'Case'));
      searchForm.hidden = false;
      searchForm.onsubmit = (e) => { e.preventDefault(); location.hash = link('/run/' + id + '/search', { q: document.getElementById('search-box').value }); };
      const sub = r.parts[2];
      if (!sub) await views.overview(view(), id);
      else if (sub === 'group') await views.group(view(), id, r.parts[3], r.params);
      else if (sub === 'account') await views.account(view(), id, r.params.get('name') || '');
      else if (sub === 'object') await views.object(view(), id, r.params.get('value') || '', r.params.get('kind') || '');
      else if (sub === 'domain') await views.domain(view(), id, r.params.get('host') || '');
      else if (sub === 'search') await views.search(view(), id, r.params.get('q') || '');
      else if (sub === 'case') await views.casePage(view(), id);
      else throw new Error('no such page');
    } else {
      await home();
    }
    window.__lockstep.ready = true;
    document.body.dataset.ready = location.hash;
  } catch (err) {
    showError(err);
  }
}

/** Home: datasets (upload, register), runs, and the parameters form. */
async function home() {
  const [health, datasets, runs, params] = await Promise.all([api('/health'), api('/datasets'), api('/runs'), api('/params')]);
  const status = h('p', { id: 'upload-status', role: 'status' });
  const file = h('input', { type: 'file', id: 'upload-file' });
  const upload = h('form', { id: 'upload-form', onsubmit: async (e) => {
    e.preventDefault();
    const f = file.files[0];
    if (!f) return;
    status.textContent = 'Uploading ' + f.name + '…';
    try {
      const d = await api('/datasets?name=' + encodeURIComponent(f.name), { method: 'POST', body: f, headers: { 'Content-Type': 'application/octet-stream' } });
      status.textContent = 'Uploaded dataset ' + d.id + '.';
      await home();
    } catch (err) { status.textContent = 'Upload failed: ' + err.message; }
  } }, h('label', {}, 'Upload a file (CSV, TSV, JSON Lines, Parquet, platform exports; .gz/.zst) ', file),
    ' ', h('button', { type: 'submit' }, 'Upload'), h('small', {}, ' limit ' + fmt(health.max_upload_bytes) + ' bytes'));
  const pathBox = h('input', { type: 'text', id: 'register-path', placeholder: '/path/on/the/server.csv', size: 40 });
  const register = health.register_paths ? h('form', { onsubmit: async (e) => {
    e.preventDefault();
    try { await api('/datasets/register', { method: 'POST', json: { path: pathBox.value } }); await home(); } catch (err) { status.textContent = err.message; }
  } }, h('label', {}, 'Or register a file on the server ', pathBox), ' ', h('button', { type: 'submit' }, 'Register')) : null;

  // The parameters form: defaults and meanings from the server.
  const inputs = {};
  const fields = params.map(p => {
    let input;
    if (p.choices.length) {
      input = h('select', { name: p.name }, p.choices.map(c => h('option', { value: c, selected: c === p.default }, c)));
    } else if (typeof p.default === 'boolean') {
      input = h('input', { type: 'checkbox', name: p.name, checked: p.default });
    } else {
      input = h('input', { type: 'text', name: p.name, value: p.default === null ? '' : String(p.default), size: 12 });
    }
    inputs[p.name] = { input, def: p.default };
    return h('div', { class: 'param' }, h('label', {}, h('code', {}, p.name), ' ', input), h('small', {}, p.meaning));
  });
  const datasetSelect = h('select', { id: 'run-dataset' }, datasets.map(d => h('option', { value: d.id }, d.id + ': ' + d.name)));
  const runForm = h('form', { id: 'run-form', onsubmit: async (e) => {
    e.preventDefault();
    const body = {};
    for (const [name, { input, def }] of Object.entries(inputs)) {
      if (input.type === 'checkbox') body[name] = input.checked;
      else if (typeof def === 'number') body[name] = Number(input.value);
      else if (name === 'fast_window') body[name] = input.value === '' ? null : Number(input.value);
      else body[name] = input.value;
    }
    try {
      const run = await api('/runs', { method: 'POST', json: { dataset: Number(datasetSelect.value), params: body } });
      location.hash = link('/run/' + run.id);
    } catch (err) { status.textContent = 'Run refused: ' + err.message; }
  } }, h('h2', {}, 'New run'), h('label', {}, 'Dataset ', datasetSelect),
    h('details', {}, h('summary', {}, 'Parameters (defaults of lockstep detect)'), fields),
    h('button', { type: 'submit', disabled: datasets.length === 0 }, 'Run'));
  replace(view(),
    h('h1', {}, 'Datasets'), upload, register, status,
    table([
      { label: 'id', get: d => String(d.id) },
      { label: 'name', get: d => d.name },
      { label: 'origin', get: d => d.origin },
      { label: 'bytes', get: d => fmt(d.bytes) },
      { label: 'SHA-256', get: d => h('code', {}, d.sha256.slice(0, 16) + '…') },
      { label: 'added', get: d => d.created },
    ], datasets, { id: 'datasets' }),
    runForm,
    h('h2', {}, 'Runs'),
    table([
      { label: 'run', get: r => h('a', { href: link('/run/' + r.id) }, 'Run ' + r.id) },
      { label: 'dataset', get: r => String(r.dataset) },
      { label: 'state', get: r => h('span', { class: 'state-' + r.state }, r.state) },
      { label: 'groups', get: r => r.summary ? fmt(r.summary.groups) : '' },
      { label: 'shares', get: r => r.summary ? fmt(r.summary.counts.shares) : '' },
      { label: 'error', get: r => r.error || '' },
      { label: 'created', get: r => r.created },
    ], runs, { id: 'runs' }));
}

window.addEventListener('hashchange', render);
render();

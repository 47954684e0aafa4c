// The Live view: alerts of `lockstep watch --alert <ingest URL>` as they arrive
// (server-sent events), newest first, with their evidence. Every value from an
// alert goes in as text (dom.js).

import { h, replace, table, fmt, utc } from './dom.js';
import { api, link } from './app.js';

let stream = null;

/** Closes the alert stream (when leaving the view). */
export function stop() {
  if (stream) { stream.close(); stream = null; }
}

/** An account name, linked to its view in the latest finished run (when there is one). */
function accountRef(run, name) {
  return run ? h('a', { href: link('/run/' + run + '/account', { name }), class: 'account' }, name) : h('span', { class: 'account' }, name);
}

function names(run, list) {
  const out = [];
  (list || []).forEach((n, i) => { if (i) out.push(', '); out.push(accountRef(run, String(n))); });
  return out;
}

/** One alert as a block: what changed, when, and its evidence. */
function alertBlock(run, stored) {
  const a = stored.alert || {};
  const head = h('p', { class: 'alert-head' },
    h('strong', {}, '#' + fmt(a.id) + ' ' + String(a.alert)), ' · event time ', Number.isFinite(a.event_time) ? utc(a.event_time) : '',
    ' · received ', stored.received, stored.source !== 'watch' ? ' · source ' + stored.source : '');
  const parts = [head];
  if (a.alert === 'edge') {
    parts.push(h('p', {}, names(run, a.accounts), ': ', fmt(a.weight), ' co-shares (threshold ', fmt(a.threshold), ')'));
    parts.push(table([
      { label: 'kind', get: e => String(e.kind) },
      { label: 'object', get: e => String(e.object) },
      { label: 'first', get: e => accountRef(run, String(e.early?.account)) },
      { label: 'post', get: e => String(e.early?.post) },
      { label: 'time', get: e => utc(e.early?.time) },
      { label: 'second', get: e => accountRef(run, String(e.late?.account)) },
      { label: 'post', get: e => String(e.late?.post) },
      { label: 'time', get: e => utc(e.late?.time) },
      { label: 'delay (s)', get: e => fmt(e.late?.time - e.early?.time) },
    ], Array.isArray(a.evidence) ? a.evidence : [], { class: 'alert-evidence' }));
  } else if (a.alert === 'group') {
    parts.push(h('p', {}, 'Group ', fmt(a.group), ' ', String(a.change), ': ', fmt((a.members || []).length), ' members, ', fmt(a.edges), ' strong edges, ', fmt(a.weight), ' co-shares.'));
    parts.push(h('p', {}, 'New members: ', names(run, a.new_members)));
    parts.push(table([
      { label: 'account', get: e => accountRef(run, String(e.a)) },
      { label: 'account', get: e => accountRef(run, String(e.b)) },
      { label: 'co-shares', get: e => fmt(e.weight) },
    ], Array.isArray(a.strongest) ? a.strongest : [], { class: 'alert-evidence' }));
  } else {
    // A kind this page does not know: its fields as text.
    parts.push(h('pre', { class: 'alert-raw' }, JSON.stringify(a, null, 1)));
  }
  return h('article', { class: 'alert alert-' + String(a.alert).replace(/[^a-z_]/g, ''), dataset: { alertId: String(stored.id) } }, parts);
}

/** The Live page. */
export async function live(el) {
  stop();
  // Listening first: an alert that arrives while the list loads is not missed (repeats are skipped by id).
  const early = [];
  let onAlert = a => early.push(a);
  stream = new EventSource('/api/v1/live/events');
  stream.addEventListener('alert', (ev) => onAlert(JSON.parse(ev.data)));
  window.__lockstep.liveStream = stream;
  const [data, runs] = await Promise.all([api('/live'), api('/runs')]);
  const run = (runs.find(r => r.state === 'done') || {}).id;
  const list = h('div', { id: 'alerts' });
  const count = h('span', { id: 'alert-count' }, fmt(data.total));
  const ingest = location.origin + data.ingest_path;
  replace(el,
    h('h1', {}, 'Live alerts'),
    h('p', {}, 'Alerts of ', h('code', {}, 'lockstep watch'), ' appear here as they arrive. Send them with:'),
    h('pre', { id: 'watch-command' }, 'lockstep watch SOURCE --alert ' + ingest),
    h('p', { class: 'hint' }, 'The address carries this server\'s ingest token: whoever has it can add alerts. ',
      run ? 'Account names link to run ' + run + ', the latest finished run.' : 'Finish a run to link account names to it.'),
    h('p', {}, count, ' alerts stored; the latest 500 shown, newest first.'),
    list);
  for (const a of data.alerts) list.append(alertBlock(run, a));
  let last = data.alerts.length ? data.alerts[0].id : 0;
  let total = data.total;
  onAlert = (a) => {
    if (a.id <= last) return;
    last = a.id;
    list.prepend(alertBlock(run, a));
    count.textContent = fmt(++total);
    while (list.childElementCount > 500) list.lastElementChild.remove();
  };
  early.forEach(onAlert);
}

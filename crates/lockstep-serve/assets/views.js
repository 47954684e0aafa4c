// The views of a run. Each reads its state from the address (see app.js)
// and writes changes back with setParams, so a copied URL restores it.

import { h, replace, table, fmt, utc } from './dom.js';
import { api, link, route, setParams, showError } from './app.js';

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];

function colour(key) {
  let x = 0;
  for (const c of String(key)) x = (x * 31 + c.codePointAt(0)) >>> 0;
  return PALETTE[x % PALETTE.length];
}

/** Shows the current address in the share box, when the view has one. */
export function showShareLink() {
  const box = document.getElementById('share-url');
  if (box) box.value = location.href;
}

function shareBox() {
  return h('p', { class: 'share' }, h('label', {}, 'Link to this view ',
    h('input', { id: 'share-url', type: 'text', readonly: true, size: 60, value: location.href, onfocus: (e) => e.target.select() })),
    ' ', h('button', { type: 'button', onclick: () => navigator.clipboard && navigator.clipboard.writeText(location.href).catch(() => {}) }, 'Copy'));
}

const accountLink = (run, name) => h('a', { href: link('/run/' + run + '/account', { name }), class: 'account' }, name);
const objectLink = (run, value, kind) => h('a', { href: link('/run/' + run + '/object', { value, kind }), class: 'object' }, value);
/** A table shown a page of `size` rows at a time, with the rows' place in the total and
 *  Previous/Next buttons. `rows`: the first rows (of `total`) at hand; `more(offset, limit)`:
 *  a promise of later rows (used when a page goes beyond `rows`). */
function pagedTable(columns, rows, total, size, more, attrs, what) {
  size = Math.max(1, size);
  const box = h('div', { class: 'paged' });
  const render = (offset, page) => {
    const last = offset + page.length;
    replace(box, total > size ? h('p', { class: 'pager' }, what, ' ', fmt(offset + 1), '–', fmt(last), ' of ', fmt(total), ' ',
      h('button', { type: 'button', class: 'prev', disabled: offset === 0, onclick: () => go(Math.max(0, offset - size)) }, 'Previous'), ' ',
      h('button', { type: 'button', class: 'next', disabled: last >= total, onclick: () => go(offset + size) }, 'Next')) : null,
    table(columns, page, attrs));
  };
  const go = (offset) => {
    if (offset + size <= rows.length || rows.length >= total) render(offset, rows.slice(offset, offset + size));
    else more(offset, size).then(page => render(offset, page)).catch(showError);
  };
  go(0);
  return box;
}

const groupLink = (run, g) => g ? h('a', { href: link('/run/' + run + '/group/' + g) }, 'group ' + g) : '';

/** A run's page: progress while it runs, the overview once done. */
export async function overview(el, id) {
  const run = await api('/runs/' + id);
  if (run.state !== 'done') return progress(el, run);
  const o = await api('/runs/' + id + '/overview');
  const c = o.counts;
  const diag = Object.entries(o.diagnostics.by_reason || {});
  replace(el,
    h('h1', {}, 'Run ', String(id)),
    h('p', { class: 'summary', id: 'summary' }, o.summary),
    h('div', { class: 'figures' },
      [['shares', c.shares], ['accounts', c.accounts], ['objects', c.objects], ['co-shares', c.coshares], ['edges', c.edges],
       ['edges kept', c.edges_above_threshold], ['groups', c.components], ['accounts in groups', c.coordinated_accounts]]
        .map(([k, v]) => h('div', { class: 'figure' }, h('b', {}, fmt(v)), h('span', {}, k)))),
    h('h2', {}, 'Groups (' + fmt(o.groups_total) + ')'),
    table([
      { label: 'group', get: g => h('a', { href: link('/run/' + id + '/group/' + g.group), class: 'group-link' }, 'Group ' + g.group) },
      { label: 'accounts', get: g => fmt(g.accounts) },
      { label: 'edges', get: g => fmt(g.edges) },
      { label: 'co-shares', get: g => fmt(g.coshares) },
      { label: 'strength', get: g => fmt(g.strength) },
      { label: 'top edge score', get: g => fmt(g.max_score, 1) },
      { label: 'kinds', get: g => (g.kinds || []).map(k => k.kind + ' ' + k.coshares).join(', ') },
      { label: 'flagged links', get: g => g.flagged_links ? h('span', { class: 'flag' }, fmt(g.flagged_links)) : '0' },
      { label: 'imitating', get: g => g.outlets.join(', ') },
    ], o.groups, { id: 'groups' }),
    o.communities.length ? h('h2', {}, 'Most strongly coordinated communities') : null,
    o.communities.length ? table([
      { label: 'rank', get: m => String(m.rank) },
      { label: 'group', get: m => groupLink(id, m.component) },
      { label: 'members', get: m => fmt(m.members.length) },
      { label: 'score', get: m => fmt(m.score, 1) },
      { label: 'strength', get: m => fmt(m.strength) },
      { label: 'why', get: m => m.why },
    ], o.communities.slice(0, 20)) : null,
    h('h2', {}, 'Parameters'),
    table([{ label: 'parameter', get: r => r[0] }, { label: 'value', get: r => JSON.stringify(r[1]) }], Object.entries(o.parameters)),
    h('p', {}, h('a', { href: '#/' }, 'Rerun with other parameters')),
    h('h2', {}, 'Data'),
    table([
      { label: 'input', get: i => i.source.split('/').pop() },
      { label: 'format', get: i => i.format },
      { label: 'records', get: i => fmt(i.records) },
      { label: 'shares', get: i => fmt(i.shares) },
      { label: 'skipped', get: i => fmt(i.skipped) },
    ], o.inputs),
    h('p', {}, 'Duplicates: ', fmt(o.diagnostics.duplicates.identical), ' identical records, ',
      fmt(o.diagnostics.duplicates.repeated_post_ids), ' repeated post ids, ', fmt(o.diagnostics.duplicates.likely_duplicates),
      ' likely duplicates (', o.diagnostics.duplicates.dropped ? 'dropped' : 'kept', ').'),
    diag.length ? table([
      { label: 'skipped because', get: r => r[0] },
      { label: 'records', get: r => fmt(r[1].count) },
      { label: 'example', get: r => (r[1].examples || []).map(x => JSON.stringify(x)).join(' ') },
    ], diag) : h('p', {}, 'No record was skipped.'),
    shareBox());
}

/** Progress of a queued or running run, from its event stream. */
function progress(el, run) {
  const line = h('p', { id: 'progress', role: 'status' }, run.state);
  const bar = h('progress', { max: 1, value: 0 });
  const cancel = h('button', { type: 'button', onclick: () => api('/runs/' + run.id + '/cancel', { method: 'POST' }).catch(showError) }, 'Cancel');
  replace(el, h('h1', {}, 'Run ', String(run.id)), line, bar, ['queued', 'running'].includes(run.state) ? cancel : null,
    run.error ? h('p', { class: 'error' }, run.error) : null);
  if (!['queued', 'running'].includes(run.state)) return;
  const events = new EventSource('/api/v1/runs/' + run.id + '/events');
  const here = location.hash;
  events.onmessage = (m) => {
    if (location.hash !== here) { events.close(); return; }
    const e = JSON.parse(m.data);
    line.textContent = e.state + (e.stage ? ': ' + e.stage : '') + (e.records ? ' (' + fmt(e.records) + ' records read)' : '');
    if (e.total_bytes) bar.value = e.bytes / e.total_bytes;
    if (['done', 'failed', 'cancelled', 'interrupted'].includes(e.state)) {
      events.close();
      overview(el, run.id).catch(showError);
    }
  };
  events.onerror = () => { events.close(); setTimeout(() => location.hash === here && overview(el, run.id).catch(showError), 1000); };
}

/** Notes on one target, with a form to add one. */
function notesPanel(run, kind, target) {
  const list = h('ul', { class: 'notes', id: 'notes' });
  const load = async () => {
    const notes = await api('/runs/' + run + '/notes?' + new URLSearchParams({ target_kind: kind, target }));
    replace(list, notes.map(n => h('li', { class: 'note' }, h('b', {}, n.author), ' ', h('small', {}, n.created, n.tags ? ' · ' + n.tags : ''), h('p', {}, n.body))));
    if (!notes.length) list.append(h('li', { class: 'empty' }, 'No notes yet.'));
  };
  const author = h('input', { type: 'text', id: 'note-author', placeholder: 'your name', value: localStorage.getItem('lockstep-author') || '' });
  const tags = h('input', { type: 'text', id: 'note-tags', placeholder: 'tags, comma-separated' });
  const body = h('textarea', { id: 'note-body', rows: 3, cols: 60, placeholder: 'What you concluded, and why' });
  const form = h('form', { id: 'note-form', onsubmit: async (e) => {
    e.preventDefault();
    localStorage.setItem('lockstep-author', author.value);
    try {
      await api('/runs/' + run + '/notes', { method: 'POST', json: { target_kind: kind, target: String(target), author: author.value, tags: tags.value, body: body.value } });
      body.value = '';
      await load();
    } catch (err) { alert(err.message); }
  } }, author, ' ', tags, h('br'), body, h('br'), h('button', { type: 'submit' }, 'Add note'));
  load().catch(showError);
  return h('section', {}, h('h2', {}, 'Notes'), list, form);
}

/** The evidence of one edge: both posts, both times, the delay, who was first. */
async function evidenceTable(run, a, b, from, to) {
  const ev = await api('/runs/' + run + '/evidence?' + new URLSearchParams({ a, b }));
  const inRange = r => { const t = Date.parse(r.time_a) / 1000; return (!from || t >= from) && (!to || t <= to); };
  const rows = ev.rows.filter(inRange);
  return h('section', { id: 'evidence' },
    h('h2', {}, 'Evidence: ', accountLink(run, a), ' and ', accountLink(run, b)),
    h('p', {}, fmt(ev.weight), ' co-shares (', fmt(rows.length), ' in the time filter); expected ', fmt(ev.expected), '; score ', fmt(ev.score, 1), ev.above_threshold ? '' : ' (below the threshold)'),
    pagedTable([
      { label: 'kind', get: r => r.kind },
      { label: 'object', get: r => objectLink(run, r.object, r.kind) },
      { label: 'post of ' + a, get: r => h('code', { class: 'post' }, r.post_a) },
      { label: 'time', get: r => r.time_a },
      { label: 'post of ' + b, get: r => h('code', { class: 'post' }, r.post_b) },
      { label: 'time', get: r => r.time_b },
      { label: 'delay (s)', get: r => fmt(r.delay) },
      { label: 'first', get: r => r.first },
    ], rows, rows.length, 200, null, { id: 'evidence-table' }, 'Co-shares'));
}

/** Draws the co-shares of a group: one row per account, one dot per share, coloured by object. */
function drawTimeline(canvas, points, members, selected, from, to) {
  const pts = points.filter(p => (!from || p.time >= from) && (!to || p.time <= to));
  const order = new Map();
  for (const p of pts) if (!order.has(p.account)) order.set(p.account, order.size);
  for (const m of members) if (!order.has(m.account)) order.set(m.account, order.size);
  const rowH = Math.max(3, Math.min(12, Math.floor(600 / Math.max(1, order.size))));
  const width = canvas.parentElement.clientWidth || 800;
  const height = Math.min(640, order.size * rowH + 30);
  const dpr = window.devicePixelRatio || 1;
  canvas.width = width * dpr; canvas.height = height * dpr;
  canvas.style.width = width + 'px'; canvas.style.height = height + 'px';
  const ctx = canvas.getContext('2d');
  ctx.scale(dpr, dpr);
  ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, width, height);
  if (!pts.length) { canvas.dataset.points = '0'; return { pts, order, rowH, t0: 0, t1: 1, width }; }
  const t0 = pts[0].time, t1 = Math.max(pts[pts.length - 1].time, t0 + 1);
  const x = t => 10 + (width - 20) * (t - t0) / (t1 - t0);
  if (selected && order.has(selected)) {
    ctx.fillStyle = '#fff3bf';
    ctx.fillRect(0, 10 + order.get(selected) * rowH - 1, width, rowH + 1);
  }
  for (const p of pts) {
    ctx.fillStyle = colour(p.object);
    ctx.fillRect(x(p.time) - 1.5, 10 + order.get(p.account) * rowH, 3, Math.max(2, rowH - 1));
  }
  ctx.fillStyle = '#333'; ctx.font = '11px sans-serif';
  ctx.fillText(utc(t0), 10, height - 6);
  const end = utc(t1); ctx.fillText(end, width - 10 - ctx.measureText(end).width, height - 6);
  canvas.dataset.points = String(pts.length);
  return { pts, order, rowH, t0, t1, width };
}

const toSecs = v => v ? Math.floor(Date.parse(v + 'Z') / 1000) : null;
const toInput = s => s ? new Date(s * 1000).toISOString().slice(0, 19) : '';

/** Large groups: each Leiden community a sunflower of its members, the
 *  communities themselves on a sunflower, largest in the middle (linear time;
 *  ForceAtlas2 is quadratic per iteration without Barnes-Hut). */
function communityLayout(G, members) {
  const by = new Map();
  for (const m of members) {
    const k = m.community === null ? -1 : m.community;
    if (!by.has(k)) by.set(k, []);
    by.get(k).push(m.account);
  }
  const groups = [...by.values()].sort((a, b) => b.length - a.length);
  const golden = Math.PI * (3 - Math.sqrt(5));
  const spacing = 2 * Math.sqrt(groups[0].length) + 4;
  groups.forEach((accounts, k) => {
    const cr = spacing * Math.sqrt(k), ca = k * golden;
    const cx = cr * Math.cos(ca), cy = cr * Math.sin(ca);
    accounts.forEach((a, i) => {
      const r = Math.sqrt(i), t = i * golden;
      G.mergeNodeAttributes(a, { x: cx + r * Math.cos(t), y: cy + r * Math.sin(t) });
    });
  });
}

/** The group answer's edge columns as rows: {a, b, weight, score, avg_time_delta}, a and b by name. */
function edgeRows(c, members) {
  return c.a.map((a, i) => ({ a: members[a].account, b: members[c.b[i]].account, weight: c.weight[i], score: c.score[i], avg_time_delta: c.avg_time_delta[i] }));
}

/** The group answer's timeline columns as points: {time, account, object, kind, post}. */
function timelinePoints(t, members) {
  return t.time.map((time, i) => {
    const o = t.objects[t.object[i]];
    return { time, account: members[t.account[i]].account, object: o.object, kind: o.kind, post: t.post[i] };
  });
}

/** A group: network, timeline, members, edges, evidence, objects, domains, notes, export. */
export async function group(el, run, g, params) {
  const from = Number(params.get('from')) || null, to = Number(params.get('to')) || null;
  // The server cuts the timeline to the time filter (the earliest 20,000 shares in it).
  const span = new URLSearchParams();
  if (from) span.set('from', from);
  if (to) span.set('to', to);
  const data = await api('/runs/' + run + '/groups/' + g + (from || to ? '?' + span : ''));
  const members = data.members;
  // The edges and the timeline come as columns, accounts as indexes into the members.
  const edges = edgeRows(data.edges, members);
  const timeline = timelinePoints(data.timeline, members);
  const byName = new Map(members.map(m => [m.account, m]));
  const membersByDegree = members.slice().sort((x, y) => (y.degree || 0) - (x.degree || 0));
  let selected = params.get('node') || '';
  const graphBox = h('div', { id: 'graph', class: 'graph' });
  const side = h('aside', { id: 'selection', class: 'selection' });
  const canvas = h('canvas', { id: 'timeline' });
  const tip = h('p', { id: 'timeline-tip', class: 'tip' }, 'Hover a dot: who posted what, when. Dots of one colour in a column are one object shared in lockstep.');
  const evidenceBox = h('div', { id: 'evidence-box' });
  const fromBox = h('input', { type: 'datetime-local', step: 1, id: 'from', value: toInput(from) });
  const toBox = h('input', { type: 'datetime-local', step: 1, id: 'to', value: toInput(to) });
  const filter = h('form', { class: 'filter', onsubmit: (e) => { e.preventDefault(); setParams({ from: toSecs(fromBox.value), to: toSecs(toBox.value) }); group(el, run, g, route().params).catch(showError); } },
    'Time (UTC) from ', fromBox, ' to ', toBox, ' ', h('button', { type: 'submit' }, 'Filter'));
  // The heaviest edges first (at most 10,000 in the answer; the rest by pages of /edges).
  const edgesTotal = data.edges_total ?? edges.length;
  const moreEdges = (offset, limit) => api('/runs/' + run + '/groups/' + g + '/edges?offset=' + offset + '&limit=' + limit).then(p => p.edges);
  const showEvidence = async (a, b) => {
    setParams({ a, b });
    replace(evidenceBox, h('p', {}, 'Loading evidence…'));
    try { replace(evidenceBox, await evidenceTable(run, a, b, from, to)); } catch (err) { replace(evidenceBox, h('p', { class: 'error' }, 'Evidence: ', err.message)); }
  };
  const row = data.row;
  const links = data.domain_links;
  replace(el,
    h('h1', {}, 'Group ', String(g)),
    h('p', { class: 'summary' }, fmt(row.accounts), ' accounts, ', fmt(row.edges), ' edges, ', fmt(row.coshares), ' co-shares; strength ', fmt(row.strength),
      ' co-shares per pair; top edge score ', fmt(row.max_score, 1), '. ',
      links && (links.known_links + links.lookalike_links) ? fmt(links.known_links + links.lookalike_links) + ' of ' + fmt(links.links) + ' links go to known operation domains or look-alikes' + (links.outlets.length ? ' imitating ' + links.outlets.map(o => o.name).join(', ') : '') + '.' : ''),
    h('p', {}, h('a', { id: 'export', href: '/api/v1/runs/' + run + '/export?group=' + g, download: 'lockstep-run' + run + '-group' + g + '.zip' }, 'Export this case (zip: CSV evidence, GEXF, notes, parameters, provenance, HTML report)')),
    shareBox(),
    h('div', { class: 'network' }, graphBox, side),
    h('p', { class: 'hint' }, 'Node size: degree; colour: Leiden community. Click a node to select it, an edge to see its evidence; drag and scroll to pan and zoom.',
      edgesTotal > edges.length ? ' The network draws the ' + fmt(edges.length) + ' heaviest of the group\'s ' + fmt(edgesTotal) + ' edges; the Edges table below pages through all of them, and the export has every one.' : ''),
    h('h2', {}, 'Timeline of co-shares'), filter, h('div', { class: 'timeline-box' }, canvas), tip,
    data.timeline_total > timeline.length ? h('p', { class: 'hint', id: 'timeline-more' }, 'Showing the first ' + fmt(timeline.length) + ' of ' + fmt(data.timeline_total) + ' shares' + (from || to ? ' in the time filter' : '') + '. ',
      h('button', { type: 'button', id: 'timeline-later', onclick: () => { setParams({ from: String(timeline[timeline.length - 1].time), to: to ? String(to) : '' }); group(el, run, g, route().params).catch(showError); } }, 'Later shares'),
      ' (from the time of the last one shown; or set the time filter).') : null,
    evidenceBox,
    h('h2', {}, 'Edges'),
    pagedTable([
      { label: 'account', get: e => accountLink(run, e.a) },
      { label: 'account', get: e => accountLink(run, e.b) },
      { label: 'co-shares', get: e => fmt(e.weight) },
      { label: 'score', get: e => fmt(e.score, 1) },
      { label: 'mean delay (s)', get: e => fmt(e.avg_time_delta, 1) },
      { label: '', get: e => h('button', { type: 'button', class: 'evidence-button', onclick: () => showEvidence(e.a, e.b).catch(showError) }, 'Evidence') },
    ], edges, edgesTotal, 100, moreEdges, { id: 'edges' }, 'Edges, heaviest first:'),
    h('h2', {}, 'Members'),
    pagedTable([
      { label: 'account', get: m => accountLink(run, m.account) },
      { label: 'degree', get: m => fmt(m.degree) },
      { label: 'shares', get: m => fmt(m.shares) },
      { label: 'co-shared posts', get: m => fmt(m.coshared_posts) },
      { label: 'community', get: m => m.community === null ? '' : String(m.community) },
    ], membersByDegree, members.length, 100, null, { id: 'members' }, 'Members, highest degree first:'),
    h('h2', {}, 'Top objects'),
    table([
      { label: 'object', get: o => objectLink(run, o.object, o.kind) },
      { label: 'kind', get: o => o.kind },
      { label: 'co-shares', get: o => fmt(o.coshares) },
    ], data.top_objects),
    data.flagged_domains.length ? h('h2', {}, 'Flagged domains') : null,
    data.flagged_domains.length ? table([
      { label: 'domain', get: d => h('a', { href: link('/run/' + run + '/domain', { host: d.domain }) }, d.domain) },
      { label: 'verdict', get: d => d.class },
      { label: 'imitates', get: d => d.outlet ? d.outlet + ' (' + d.outlet_domain + ')' : '' },
      { label: 'technique', get: d => d.technique },
      { label: 'operation', get: d => d.operation },
      { label: 'shares', get: d => fmt(d.shares) },
    ], data.flagged_domains) : null,
    notesPanel(run, 'group', String(g)));

  // The network.
  const G = new graphology.Graph({ type: 'undirected' });
  const n = members.length;
  const maxDegree = Math.max(1, ...members.map(m => m.degree || 1));
  members.forEach((m, i) => G.addNode(m.account, {
    label: m.account, x: 100 * Math.cos(2 * Math.PI * i / n), y: 100 * Math.sin(2 * Math.PI * i / n),
    size: 3 + 9 * Math.sqrt((m.degree || 1) / maxDegree), color: m.community === null ? '#555' : PALETTE[m.community % PALETTE.length],
  }));
  for (const e of edges) if (!G.hasEdge(e.a, e.b)) G.addEdge(e.a, e.b, { size: 0.5 + Math.log2(1 + e.weight) / 2, color: '#c8c8c8', weight: e.weight });
  if (n > 800) {
    communityLayout(G, members);
  } else if (n > 1) {
    const fa2 = graphologyLibrary.layoutForceAtlas2;
    fa2.assign(G, { iterations: Math.max(20, Math.min(200, Math.floor(400000 / (n + edges.length + 1)))), settings: fa2.inferSettings(G) });
  }
  const renderer = new Sigma(G, graphBox, {
    enableEdgeEvents: true, labelRenderedSizeThreshold: 8, defaultEdgeColor: '#c8c8c8',
    nodeReducer: (node, attrs) => {
      if (!selected) return attrs;
      if (node === selected) return { ...attrs, highlighted: true, forceLabel: true };
      if (G.hasNode(selected) && G.areNeighbors(node, selected)) return attrs;
      return { ...attrs, color: '#ddd', label: '' };
    },
    edgeReducer: (edge, attrs) => selected && !G.extremities(edge).includes(selected) ? { ...attrs, hidden: true } : attrs,
  });
  // Sigma drew the graph in its constructor (synchronously); later frames are counted as they come.
  // No second refresh here: with software WebGL (headless Chromium) each frame of a large group costs
  // hundreds of ms (docs/serve.md, benchmark).
  graphBox.dataset.drawnNodes = String(G.order);
  renderer.on('afterRender', () => { graphBox.dataset.drawnNodes = String(G.order); });
  const showSelection = () => {
    const m = byName.get(selected);
    replace(side, m ? [h('h3', {}, 'Selected'), h('p', {}, accountLink(run, m.account)), h('p', {}, 'degree ', fmt(m.degree), ', ', fmt(m.shares), ' shares, community ', m.community === null ? '-' : String(m.community))]
      : h('p', { class: 'hint' }, 'No account selected.'));
  };
  let line = drawTimeline(canvas, timeline, members, selected, from, to);
  renderer.on('clickNode', ({ node }) => {
    selected = node === selected ? '' : node;
    setParams({ node: selected });
    renderer.refresh();
    showSelection();
    line = drawTimeline(canvas, timeline, members, selected, from, to);
  });
  renderer.on('clickEdge', ({ edge }) => { const [a, b] = G.extremities(edge); showEvidence(a < b ? a : b, a < b ? b : a).catch(showError); });
  renderer.on('clickStage', () => { if (selected) { selected = ''; setParams({ node: '' }); renderer.refresh(); showSelection(); line = drawTimeline(canvas, timeline, members, selected, from, to); } });
  const cam = renderer.getCamera();
  const c = (params.get('cam') || '').split(',').map(Number);
  if (c.length === 3 && c.every(Number.isFinite)) cam.setState({ x: c[0], y: c[1], ratio: c[2] });
  let camTimer = null;
  cam.on('updated', (s) => { clearTimeout(camTimer); camTimer = setTimeout(() => setParams({ cam: [s.x, s.y, s.ratio].map(v => v.toFixed(4)).join(',') }), 250); });
  canvas.addEventListener('mousemove', (ev) => {
    const r = canvas.getBoundingClientRect();
    const mx = ev.clientX - r.left, my = ev.clientY - r.top;
    const t = line.t0 + (mx - 10) / (line.width - 20) * (line.t1 - line.t0);
    const row = Math.floor((my - 10) / line.rowH);
    let best = null, bestD = 6;
    for (const p of line.pts) {
      if (line.order.get(p.account) !== row) continue;
      const d = Math.abs((p.time - t) / (line.t1 - line.t0) * (line.width - 20));
      if (d < bestD) { best = p; bestD = d; }
    }
    tip.textContent = best ? best.account + ' posted ' + best.post + ' (' + best.kind + ' ' + best.object + ') at ' + utc(best.time) : '';
  });
  showSelection();
  window.__lockstep.sigma = renderer;
  window.__lockstep.graph = G;
  window.__lockstep.timelinePoints = Number(canvas.dataset.points);
  window.__lockstep.timeline = () => line;
  const a = params.get('a'), b = params.get('b');
  if (a && b) await showEvidence(a, b);
}

/** An account: posts, partners, group, notes. */
export async function account(el, run, name) {
  const d = await api('/runs/' + run + '/account?' + new URLSearchParams({ name }));
  // Later pages of partners and posts (the answer holds the first 200 of each).
  const more = (key) => (offset, limit) => api('/runs/' + run + '/account?' + new URLSearchParams({ name, [key + '_offset']: offset, limit })).then(p => p[key]);
  const withWho = route().params.get('with');
  const ev = h('div', { id: 'evidence-box' });
  replace(el,
    h('h1', {}, 'Account ', h('span', { class: 'account-name' }, d.account)),
    h('p', {}, fmt(d.shares), ' shares; ', d.group ? ['in ', groupLink(run, d.group), ' (degree ', fmt(d.degree), ')'] : 'in no group', '.'),
    shareBox(),
    ev,
    h('h2', {}, 'Co-sharing partners (' + fmt(d.partners_total) + ')'),
    pagedTable([
      { label: 'account', get: p => accountLink(run, p.account) },
      { label: 'co-shares', get: p => fmt(p.weight) },
      { label: 'score', get: p => fmt(p.score, 1) },
      { label: 'kept', get: p => p.above_threshold ? 'yes' : 'no' },
      { label: 'mean delay (s)', get: p => fmt(p.avg_time_delta, 1) },
      { label: '', get: p => h('button', { type: 'button', onclick: async () => { setParams({ with: p.account }); replace(ev, await evidenceTable(run, d.account, p.account)); } }, 'Evidence') },
    ], d.partners, d.partners_total, d.partners.length, more('partners'), { id: 'partners' }, 'Partners, most co-shares first:'),
    h('h2', {}, 'Posts (' + fmt(d.shares) + ')'),
    pagedTable([
      { label: 'time', get: p => p.time },
      { label: 'post', get: p => h('code', {}, p.post) },
      { label: 'kind', get: p => p.kind },
      { label: 'object', get: p => objectLink(run, p.object, p.kind) },
    ], d.posts, d.shares, d.posts.length, more('posts'), { id: 'posts' }, 'Posts, by time:'),
    notesPanel(run, 'account', d.account));
  if (withWho) replace(ev, await evidenceTable(run, d.account, withWho));
}

function verdict(run, dom) {
  if (!dom) return null;
  return h('section', { id: 'verdict' }, h('h2', {}, 'Domain ', h('a', { href: link('/run/' + run + '/domain', { host: dom.domain }) }, dom.domain), ': ', h('span', { class: 'flag-' + dom.class }, dom.class)),
    table([{ label: 'field', get: r => r[0] }, { label: 'value', get: r => r[1] }],
      [['registrable domain', dom.registrable], ['operation (known)', dom.operation], ['feed source', dom.source], ['first reported', dom.first_reported],
       ['imitates', dom.outlet ? dom.outlet + ' (' + dom.outlet_domain + ')' : ''], ['technique', dom.technique], ['score', dom.score === null ? '' : String(dom.score)],
       ['note', dom.note], ['shares', fmt(dom.shares)], ['accounts', fmt(dom.accounts)]].filter(r => r[1] !== '' && r[1] !== undefined)),
    h('p', {}, 'Groups: ', (dom.groups || []).length ? dom.groups.map(g => [groupLink(run, g), ' ']) : 'none'));
}

/** An object: who shared it when, and its domain's verdict. */
export async function object(el, run, value, kind) {
  const d = await api('/runs/' + run + '/object?' + new URLSearchParams({ value, kind }));
  const more = (offset, limit) => api('/runs/' + run + '/object?' + new URLSearchParams({ value, kind, offset, limit })).then(p => p.shares);
  replace(el,
    h('h1', {}, 'Object ', h('span', { class: 'object-name' }, d.object)),
    h('p', {}, d.kind, '; ', fmt(d.shares_total), ' shares; ', fmt(d.coshares || 0), ' co-shares; ', fmt(d.coordinated_accounts || 0), ' accounts of kept edges.'),
    shareBox(),
    verdict(run, d.domain),
    h('h2', {}, 'Who shared it when'),
    pagedTable([
      { label: 'time', get: s => s.time },
      { label: 'account', get: s => accountLink(run, s.account) },
      { label: 'post', get: s => h('code', {}, s.post) },
    ], d.shares, d.shares_total, d.shares.length, more, { id: 'shares' }, 'Shares, by time:'),
    notesPanel(run, 'object', d.object));
}

/** A linked domain's verdict. */
export async function domain(el, run, host) {
  const d = await api('/runs/' + run + '/domain?' + new URLSearchParams({ host }));
  replace(el, h('h1', {}, 'Domain ', d.domain), shareBox(), verdict(run, d), notesPanel(run, 'domain', d.domain));
}

/** Search results. */
export async function search(el, run, q) {
  document.getElementById('search-box').value = q;
  const d = await api('/runs/' + run + '/search?' + new URLSearchParams({ q }));
  replace(el, h('h1', {}, 'Search: ', q), shareBox(),
    h('h2', {}, 'Accounts'), h('ul', { id: 'found-accounts' }, d.accounts.map(a => h('li', {}, accountLink(run, a)))),
    h('h2', {}, 'Objects'), h('ul', {}, d.objects.map(o => h('li', {}, objectLink(run, o.object, o.kind), ' (', o.kind, ')'))),
    h('h2', {}, 'Domains'), h('ul', {}, d.domains.map(x => h('li', {}, h('a', { href: link('/run/' + run + '/domain', { host: x }) }, x)))));
}

/** The case: every note of the run, with links to what it is about. */
export async function casePage(el, run) {
  const notes = await api('/runs/' + run + '/notes');
  const target = n => {
    if (n.target_kind === 'group') return [groupLink(run, n.target), ' · ', h('a', { href: '/api/v1/runs/' + run + '/export?group=' + n.target }, 'export')];
    if (n.target_kind === 'account') return accountLink(run, n.target);
    if (n.target_kind === 'object') return objectLink(run, n.target, '');
    if (n.target_kind === 'domain') return h('a', { href: link('/run/' + run + '/domain', { host: n.target }) }, n.target);
    return 'run';
  };
  replace(el, h('h1', {}, 'Case: run ', String(run)),
    table([
      { label: 'about', get: n => target(n) },
      { label: 'author', get: n => n.author },
      { label: 'when', get: n => n.created },
      { label: 'tags', get: n => n.tags },
      { label: 'note', get: n => n.body },
      { label: '', get: n => h('button', { type: 'button', onclick: async () => { await api('/runs/' + run + '/notes/' + n.id, { method: 'DELETE' }); casePage(el, run); } }, 'Delete') },
    ], notes, { id: 'case-notes' }),
    notesPanel(run, 'run', ''));
}

// End-to-end test of `lockstep serve` in headless Chromium (Debian's package,
// driven by playwright-core). Usage: node e2e.mjs (env LOCKSTEP_BIN: the
// binary; CHROMIUM: the browser, default /usr/bin/chromium; SCREENSHOTS: where
// to save them, default ../../../target/e2e-screenshots).
//
// It generates a dataset with planted networks, renames one planted account to
// markup plus a terminal escape, uploads it through the page, runs it, opens
// the top group and checks the drawn network, the timeline, an edge's evidence
// against the data, a note kept across a reload, a copied view URL restoring
// the same view in a new page, and the case export's files.

import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const BIN = process.env.LOCKSTEP_BIN || path.join(root, 'target/debug/lockstep');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = process.env.SCREENSHOTS || path.join(root, 'target/e2e-screenshots');
const EVIL = '<img src=x onerror=alert(1)><script>alert(2)</script>\u001b[31mred';
const timings = {};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-e2e-'));
fs.mkdirSync(SHOTS, { recursive: true });
const step = (s) => console.log('e2e: ' + s);

// 1. A dataset with planted networks; one planted account renamed.
const posts = path.join(tmp, 'posts.csv');
execFileSync(BIN, ['generate', '-n', '100000', '--seed', '42', '-o', posts], { stdio: 'inherit' });
const truth = fs.readFileSync(path.join(tmp, 'posts.truth.csv'), 'utf8').trim().split('\n').slice(1).map(l => l.split(','));
const victim = truth[0][0];
const planted = new Set(truth.map(r => r[0]).filter(a => a !== victim).concat([EVIL]));
const csv = fs.readFileSync(posts, 'utf8').split(victim).join(EVIL);
fs.writeFileSync(posts, csv);
const postsOf = new Map();
for (const line of csv.split('\n').slice(1)) {
  const [account, , , post] = line.split(',');
  if (account) postsOf.set(post, account);
}

// 2. The server on a free port.
const server = spawn(BIN, ['serve', '--data', path.join(tmp, 'data'), '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
process.on('exit', () => server.kill('SIGINT'));
const url = await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (d) => { out += d; const m = out.match(/listening on (http:\/\/\S+)/); if (m) resolve(m[1]); });
  server.on('exit', (code) => reject(new Error('server exited with ' + code)));
  setTimeout(() => reject(new Error('server did not start: ' + out)), 30000);
});
step('server at ' + url);

const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-chromium-'));
// A fresh profile (--user-data-dir) through Playwright's persistent context.
const context = await chromium.launchPersistentContext(userData, {
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  viewport: { width: 1300, height: 900 },
  acceptDownloads: true,
});
let failed = false;
try {
  const dialogs = [];
  const errors = [];
  const watch = (page) => {
    page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
    page.on('pageerror', (e) => errors.push(e.message));
  };
  const page = await context.newPage();
  watch(page);
  const ready = (p) => p.waitForFunction(() => window.__lockstep && window.__lockstep.ready, null, { timeout: 60000 });

  // 3. Upload through the page.
  await page.goto(url);
  await ready(page);
  await page.setInputFiles('#upload-file', posts);
  await page.click('#upload-form button[type=submit]');
  await page.waitForSelector('#datasets tbody tr', { timeout: 60000 });
  await page.screenshot({ path: path.join(SHOTS, '1-home.png') });
  step('uploaded');

  // 4. A run with parameters from the form; wait for it.
  await page.click('#run-form summary');
  await page.selectOption('#run-form select[name=threshold]', 'quantile');
  await page.fill('#run-form input[name=edge_quantile]', '0.99');
  await page.click('#run-form button[type=submit]');
  await page.waitForSelector('#groups tbody tr', { timeout: 180000 });
  await page.screenshot({ path: path.join(SHOTS, '2-overview.png'), fullPage: true });
  const runHash = await page.evaluate(() => location.hash);
  step('run done: ' + runHash);

  // 5. The top group: network drawn, timeline drawn.
  let t = Date.now();
  await page.click('#groups tbody tr:first-child a.group-link');
  await ready(page);
  await page.waitForFunction(() => Number(document.getElementById('graph').dataset.drawnNodes) > 0);
  timings.group_ready_ms = Date.now() - t;
  const members = await page.$$eval('#members tbody tr', (rows) => rows.map(r => r.cells[0].textContent));
  const drawn = await page.evaluate(() => {
    const s = window.__lockstep.sigma, g = window.__lockstep.graph;
    const dims = s.getDimensions();
    const onScreen = g.nodes().filter((n) => {
      const d = s.getNodeDisplayData(n);
      if (!d) return false;
      const v = s.framedGraphToViewport(d);
      return v.x >= 0 && v.y >= 0 && v.x <= dims.width && v.y <= dims.height;
    }).length;
    const c = document.getElementById('timeline');
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let coloured = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i] < 200 || px[i + 1] < 200 || px[i + 2] < 200) coloured++;
    return { order: g.order, onScreen, points: Number(c.dataset.points), coloured };
  });
  assert.equal(drawn.order, members.length, 'every member is a node');
  assert.equal(drawn.onScreen, members.length, 'every node is drawn on screen');
  assert.ok(drawn.points > 0 && drawn.coloured > drawn.points, 'the timeline has points: ' + JSON.stringify(drawn));
  assert.ok(members.every((m) => planted.has(m)), 'the top group is planted accounts: ' + members);
  step(`group: ${drawn.order} nodes drawn, ${drawn.points} timeline points`);
  // The timeline (columns in the answer, accounts as indexes into the members): every point's post is
  // its account's in the data, and hovering a dot names that account and post.
  const pts = await page.evaluate(() => window.__lockstep.timeline().pts.map(p => [p.account, p.post, p.time]));
  assert.equal(pts.length, drawn.points);
  for (const [account, post] of pts) assert.equal(postsOf.get(post), account, `timeline: post ${post} is ${account}'s`);
  await page.evaluate(() => document.getElementById('timeline').scrollIntoView());
  const spot = await page.evaluate(() => {
    const l = window.__lockstep.timeline(), p = l.pts[Math.floor(l.pts.length / 2)];
    const r = document.getElementById('timeline').getBoundingClientRect();
    return { x: r.left + 10 + (l.width - 20) * (p.time - l.t0) / (l.t1 - l.t0), y: r.top + 10 + l.order.get(p.account) * l.rowH + l.rowH / 2, account: p.account };
  });
  await page.mouse.move(spot.x, spot.y);
  const tipText = await page.textContent('#timeline-tip');
  const hovered = tipText.match(/^(.*) posted (\S+) \(/s);
  assert.ok(hovered && hovered[1] === spot.account && postsOf.get(hovered[2]) === spot.account, 'timeline tip: ' + tipText);
  step(`timeline: ${pts.length} points are their accounts' posts; hover: ${JSON.stringify(tipText.slice(0, 80))}`);

  // 6. Evidence of one edge: the posts are the accounts' own, in the data.
  await page.click('#edges tbody tr:first-child button.evidence-button');
  await page.waitForSelector('#evidence-table tbody tr');
  const { a, b } = await page.evaluate(() => { const p = new URLSearchParams(location.hash.split('?')[1]); return { a: p.get('a'), b: p.get('b') }; });
  const rows = await page.$$eval('#evidence-table tbody tr', (rs) => rs.map(r => [...r.cells].map(c => c.textContent)));
  assert.ok(rows.length > 0);
  for (const r of rows) {
    assert.equal(postsOf.get(r[2]), a, `post ${r[2]} is ${a}'s`);
    assert.equal(postsOf.get(r[4]), b, `post ${r[4]} is ${b}'s`);
  }
  assert.ok(planted.has(a) && planted.has(b));
  const checkedPost = rows[0][2];
  step(`evidence: ${rows.length} co-shares of ${JSON.stringify(a)} and ${JSON.stringify(b)}, post ${checkedPost} checked`);

  // 7. Select a node by clicking it on the canvas, and zoom.
  await page.evaluate(() => document.getElementById('graph').scrollIntoView());
  const target = await page.evaluate(() => {
    const s = window.__lockstep.sigma, g = window.__lockstep.graph;
    const n = g.nodes()[0];
    const v = s.framedGraphToViewport(s.getNodeDisplayData(n));
    const r = document.getElementById('graph').getBoundingClientRect();
    return { node: n, x: r.left + v.x, y: r.top + v.y };
  });
  await page.mouse.click(target.x, target.y);
  await page.waitForFunction((n) => new URLSearchParams(location.hash.split('?')[1]).get('node') === n, target.node);
  await page.mouse.move(target.x + 40, target.y + 40);
  await page.mouse.wheel(0, -300);
  await page.waitForFunction(() => new URLSearchParams(location.hash.split('?')[1]).has('cam'), null, { timeout: 10000 });
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(SHOTS, '3-group.png'), fullPage: true });

  // 8. A note, kept across a reload.
  const noteText = 'Same links within seconds, 30 days running. ' + EVIL;
  await page.fill('#note-author', 'e2e');
  await page.fill('#note-body', noteText);
  await page.click('#note-form button[type=submit]');
  await page.waitForFunction((t) => [...document.querySelectorAll('.note p')].some(p => p.textContent === t), noteText);
  await page.reload();
  await ready(page);
  await page.waitForFunction((t) => [...document.querySelectorAll('.note p')].some(p => p.textContent === t), noteText);
  step('note kept across a reload');

  // 9. The copied view URL restores the same view in a new page.
  await page.waitForTimeout(400);
  const shared = await page.inputValue('#share-url');
  const state = (p) => p.evaluate(() => ({
    hash: location.hash,
    selected: document.getElementById('selection').textContent,
    evidence: [...document.querySelectorAll('#evidence-table tbody tr')].map(r => r.textContent),
    camera: window.__lockstep.sigma.getCamera().getState(),
  }));
  const before = await state(page);
  const second = await context.newPage();
  watch(second);
  t = Date.now();
  await second.goto(shared);
  await ready(second);
  timings.shared_view_ready_ms = Date.now() - t;
  await second.waitForSelector('#evidence-table tbody tr');
  const after = await state(second);
  assert.equal(after.hash, before.hash);
  assert.equal(after.selected, before.selected);
  assert.ok(after.selected.includes(target.node));
  assert.deepEqual(after.evidence, before.evidence);
  for (const k of ['x', 'y', 'ratio']) assert.ok(Math.abs(after.camera[k] - before.camera[k]) < 1e-3, `camera ${k}`);
  await second.screenshot({ path: path.join(SHOTS, '4-shared-view.png') });
  step('the shared URL restores the view');

  // 10. The case export.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
  const zip = path.join(tmp, 'case.zip');
  await download.saveAs(zip);
  const listing = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).trim().split('\n').map(f => f.split('/').pop()).sort();
  assert.deepEqual(listing, ['edges.csv', 'evidence.csv', 'members.csv', 'network.gexf', 'notes.csv', 'params.json', 'provenance.json', 'report.html']);
  const unzip = (name) => execFileSync('unzip', ['-p', zip, '*/' + name], { encoding: 'utf8' });
  assert.ok(unzip('evidence.csv').includes(checkedPost), 'the export holds the checked post');
  assert.ok(unzip('notes.csv').includes('30 days running'), 'the export holds the note');
  assert.ok(!unzip('report.html').includes('<script>alert'), 'markup escaped in the report');
  step('export: ' + listing.join(', '));

  // 11. Account, object, search views; the renamed account stays text.
  await page.goto(url + '#/' + runHash.slice(2) + '/account?name=' + encodeURIComponent(EVIL));
  await ready(page);
  assert.equal(await page.textContent('.account-name'), EVIL);
  await page.screenshot({ path: path.join(SHOTS, '5-account.png') });
  await page.click('#posts tbody tr:first-child a.object');
  await ready(page);
  await page.waitForSelector('#shares tbody tr');
  await page.screenshot({ path: path.join(SHOTS, '6-object.png') });
  await page.fill('#search-box', 'onerror');
  await page.press('#search-box', 'Enter');
  await page.waitForSelector('#found-accounts li');
  assert.equal(await page.textContent('#found-accounts li'), EVIL);
  await page.screenshot({ path: path.join(SHOTS, '7-search.png') });
  // 12. Live alerts: a real `lockstep watch` posts to this server's ingest URL (shown on the Live page); the
  // page shows each alert as it arrives (server-sent events), with its evidence and links to account views.
  await page.goto(url + '#/live');
  await ready(page);
  const ingest = (await page.textContent('#watch-command')).split(' --alert ')[1].trim();
  assert.match(ingest, /^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/live\/ingest\/[0-9a-f]{32}$/);
  const t0 = 1704067200;
  let liveCsv = 'account_id,object_id,timestamp_share,content_id\n';
  for (let i = 0; i < 6; i++) {
    liveCsv += `${EVIL},https://live.example/${i},${t0 + 100 * i},live-a${i}\n`;
    liveCsv += `live-partner,https://live.example/${i},${t0 + 100 * i + 3},live-b${i}\n`;
  }
  fs.writeFileSync(path.join(tmp, 'live.csv'), liveCsv);
  execFileSync(BIN, ['watch', path.join(tmp, 'live.csv'), '--alert', ingest, '--exit-at-end', '--min-weight', '5', '--quiet'], { stdio: 'inherit' });
  await page.waitForSelector('#alerts article.alert-edge', { timeout: 30000 });
  const edgeAlert = await page.textContent('#alerts article.alert-edge');
  assert.ok(edgeAlert.includes(EVIL) && edgeAlert.includes('live-partner'), 'the alert names both accounts as text');
  assert.ok(edgeAlert.includes('live-a4') && edgeAlert.includes('live-b4'), 'the alert shows its evidence');
  await page.screenshot({ path: path.join(SHOTS, '8-live.png'), fullPage: true });
  await page.reload();
  await ready(page);
  await page.waitForSelector('#alerts article.alert-edge');
  step('live: ' + (await page.textContent('#alert-count')) + ' alerts stored, shown as they arrived and after a reload');
  await page.click('#alerts article.alert-edge a.account >> nth=0');
  await ready(page);
  assert.equal(await page.textContent('.account-name'), EVIL, 'an alert links to the account view');
  const scripts = await page.$$eval('script', (s) => s.length);
  assert.equal(scripts, 4, 'no script element from the data');
  assert.deepEqual(dialogs, [], 'no script from the data ran');
  assert.deepEqual(errors, [], 'no page errors');
  console.log('e2e: timings ' + JSON.stringify(timings));
  console.log('e2e: passed; screenshots in ' + SHOTS);
} catch (e) {
  failed = true;
  console.error('e2e: FAILED: ' + (e.stack || e));
} finally {
  await context.close();
  server.kill('SIGINT');
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.rmSync(userData, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);

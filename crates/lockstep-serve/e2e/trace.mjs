// The group page's main-thread time by trace event (layout, style, paint, script,
// parsing, GPU), from a Chromium performance trace of one load, ready = as bench.mjs.
// Usage: node trace.mjs URL RUN GROUP [TOP=25]

import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assetsFromEnv } from './assets.mjs';

const [url, run, group, top = '25'] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
const context = await browser.newContext({ viewport: { width: 1300, height: 900 } });
await assetsFromEnv(context);
const page = await context.newPage();
const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-trace-')), 'trace.json');
await browser.startTracing(page, { path: file, categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'blink', 'gpu'] });
const t = Date.now();
await page.goto(`${url}#/run/${run}/group/${group}`);
await page.waitForFunction(() => window.__lockstep && window.__lockstep.ready && Number(document.getElementById('graph')?.dataset.drawnNodes) > 0,
  null, { timeout: 120000, polling: 10 });
console.log(`group page ready in ${Date.now() - t} ms`);
await browser.stopTracing();
const { traceEvents } = JSON.parse(fs.readFileSync(file, 'utf8'));
// Self time of complete events per thread: duration minus that of nested events of the same thread.
const byThread = new Map();
for (const e of traceEvents) if (e.ph === 'X' && e.dur) {
  const k = e.pid + ':' + e.tid;
  if (!byThread.has(k)) byThread.set(k, []);
  byThread.get(k).push(e);
}
const names = new Map();
for (const e of traceEvents) if (e.ph === 'M' && e.name === 'thread_name') names.set(e.pid + ':' + e.tid, e.args.name);
const self = new Map();
for (const [k, evs] of byThread) {
  const thread = names.get(k) || k;
  if (!/CrRendererMain|CrGpuMain|VizCompositor|Compositor/.test(thread)) continue;
  evs.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const stack = [];
  for (const e of evs) {
    while (stack.length && stack[stack.length - 1].ts + stack[stack.length - 1].dur <= e.ts) stack.pop();
    e.self = e.dur;
    if (stack.length) stack[stack.length - 1].self -= e.dur;
    stack.push(e);
  }
  for (const e of evs) {
    const key = thread + ' ' + e.name;
    self.set(key, (self.get(key) || 0) + Math.max(0, e.self) / 1000);
  }
}
[...self].sort((a, b) => b[1] - a[1]).slice(0, Number(top)).forEach(([k, v]) => console.log(`${v.toFixed(1).padStart(9)} ms  ${k}`));
await browser.close();
fs.rmSync(path.dirname(file), { recursive: true, force: true });

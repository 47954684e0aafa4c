// Where the group page's time goes, in headless Chromium: loads the page once
// with the V8 sampling profiler on (Chrome DevTools Protocol) and prints the
// time to ready, then the functions with the most self time and the busiest
// script URLs. Usage: node profile.mjs URL RUN GROUP [TOP=25]

import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assetsFromEnv } from './assets.mjs';

const [url, run, group, top = '25'] = process.argv.slice(2);
const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-profile-chromium-'));
const context = await chromium.launchPersistentContext(userData, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  viewport: { width: 1300, height: 900 },
});
await assetsFromEnv(context);
const page = await context.newPage();
const cdp = await context.newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
await cdp.send('Profiler.start');
const t = Date.now();
await page.goto(`${url}#/run/${run}/group/${group}`);
await page.waitForFunction(() => window.__lockstep && window.__lockstep.ready && Number(document.getElementById('graph')?.dataset.drawnNodes) > 0,
  null, { timeout: 120000, polling: 10 });
const ready = Date.now() - t;
const { profile } = await cdp.send('Profiler.stop');
const dt = new Map();
for (let i = 0; i < profile.samples.length; i++) dt.set(profile.samples[i], (dt.get(profile.samples[i]) || 0) + profile.timeDeltas[i] / 1000);
const self = new Map(), byUrl = new Map();
for (const n of profile.nodes) {
  const ms = dt.get(n.id) || 0;
  const f = n.callFrame;
  const key = `${f.functionName || '(anonymous)'} ${path.basename(f.url || '')}:${f.lineNumber + 1}`;
  self.set(key, (self.get(key) || 0) + ms);
  const u = path.basename(f.url || '') || f.functionName;
  byUrl.set(u, (byUrl.get(u) || 0) + ms);
}
console.log(`group page ready in ${ready} ms`);
const show = (m, n) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).forEach(([k, v]) => console.log(`${v.toFixed(1).padStart(9)} ms  ${k}`));
console.log('self time by function:'); show(self, Number(top));
console.log('self time by script:'); show(byUrl, 12);
await context.close();
fs.rmSync(userData, { recursive: true, force: true });

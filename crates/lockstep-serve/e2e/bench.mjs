// Page-ready times of `lockstep serve` in headless Chromium: the overview and
// a group page, each opened N times in a fresh page; ready = the view rendered
// (group: network drawn by sigma, timeline drawn). Prints median and max.
// Usage: node bench.mjs URL RUN GROUP [N]

import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assetsFromEnv } from './assets.mjs';

const [url, run, group, n = '7'] = process.argv.slice(2);
const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-bench-chromium-'));
const context = await chromium.launchPersistentContext(userData, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  viewport: { width: 1300, height: 900 },
});
await assetsFromEnv(context);
const views = {
  overview: { hash: `#/run/${run}`, done: () => window.__lockstep && window.__lockstep.ready },
  group: {
    hash: `#/run/${run}/group/${group}`,
    done: () => window.__lockstep && window.__lockstep.ready && Number(document.getElementById('graph')?.dataset.drawnNodes) > 0
      && Number(document.getElementById('timeline')?.dataset.points) >= 0,
  },
};
for (const [name, v] of Object.entries(views)) {
  const times = [];
  let info = '';
  for (let i = 0; i < Number(n); i++) {
    const page = await context.newPage();
    const t = Date.now();
    await page.goto(url + v.hash);
    await page.waitForFunction(v.done, null, { timeout: 120000, polling: 10 });
    times.push(Date.now() - t);
    info = await page.evaluate(() => window.__lockstep.graph ? `${window.__lockstep.graph.order} nodes, ${window.__lockstep.graph.size} edges, ${window.__lockstep.timelinePoints} timeline points` : '');
    await page.close();
  }
  times.sort((a, b) => a - b);
  console.log(`page ready ${name}: median ${times[Math.floor(times.length / 2)]} ms, max ${times[times.length - 1]} ms over ${times.length} loads ${info}`);
}
await context.close();
fs.rmSync(userData, { recursive: true, force: true });

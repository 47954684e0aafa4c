// Interactivity of a large network in the page's renderer (issue 20: 20,000 nodes and 100,000 edges pan and
// zoom without stalls): on a page of a running `lockstep serve` (for its sigma.js and graphology), builds a
// seeded random network of N nodes and M edges in 20 communities laid out as one disc each, draws it in a
// 1,000 x 700 box, then pans and zooms the camera for a few seconds, one step per animation frame, and prints
// the frame times (median, p95, max) and the long tasks (> 50 ms).
// Usage: [HIDE_EDGES_ON_MOVE=1] node frames.mjs URL [NODES=20000] [EDGES=100000] [SECONDS=5]
// (HIDE_EDGES_ON_MOVE: sigma's setting that hides the edges while the camera moves.)

import { chromium } from 'playwright-core';

const [url, nodes = '20000', edges = '100000', seconds = '5'] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--no-first-run', '--disable-background-networking', ...(process.env.GPU ? [] : ['--disable-gpu'])],
});
const page = await (await browser.newContext({ viewport: { width: 1100, height: 800 } })).newPage();
await page.goto(url);
await page.waitForFunction(() => window.Sigma && window.graphology, null, { timeout: 60000 });
const r = await page.evaluate(async ([n, m, secs, hideEdges]) => {
  let seed = 42;
  const rnd = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed / 4294967296; };
  const G = new graphology.Graph({ type: 'undirected' });
  const K = 20;
  for (let i = 0; i < n; i++) {
    const c = i % K, a = rnd() * 2 * Math.PI, r = Math.sqrt(rnd()) * 10;
    G.addNode('n' + i, { x: 30 * Math.cos(2 * Math.PI * c / K) + r * Math.cos(a), y: 30 * Math.sin(2 * Math.PI * c / K) + r * Math.sin(a), size: 2 + 3 * rnd(), color: '#1f77b4' });
  }
  while (G.size < m) {
    const i = Math.floor(rnd() * n), j = rnd() < 0.9 ? (i - i % K + Math.floor(rnd() * (n / K)) * K + i % K) % n : Math.floor(rnd() * n);
    if (i !== j && !G.hasEdge('n' + i, 'n' + j)) G.addEdge('n' + i, 'n' + j, { size: 0.5, color: '#c8c8c8' });
  }
  const box = document.createElement('div');
  box.style.cssText = 'position:fixed;left:0;top:0;width:1000px;height:700px;background:#fff;z-index:99';
  document.body.appendChild(box);
  const t0 = performance.now();
  const s = new Sigma(G, box, { labelRenderedSizeThreshold: 8, hideEdgesOnMove: hideEdges });
  const first = performance.now() - t0;
  const longTasks = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) longTasks.push(e.duration); }).observe({ type: 'longtask', buffered: false });
  const cam = s.getCamera();
  const frames = [];
  await new Promise((done) => {
    let last = performance.now(), start = last, k = 0;
    const step = (now) => {
      frames.push(now - last); last = now; k++;
      // Pan in a circle and zoom in and out, one camera update per frame.
      cam.setState({ x: 0.5 + 0.2 * Math.cos(k / 10), y: 0.5 + 0.2 * Math.sin(k / 10), ratio: 0.6 + 0.4 * Math.cos(k / 25) });
      if (now - start < secs * 1000) requestAnimationFrame(step); else done();
    };
    requestAnimationFrame(step);
  });
  frames.shift();
  frames.sort((a, b) => a - b);
  const q = (p) => frames[Math.min(frames.length - 1, Math.floor(p * frames.length))];
  return { nodes: G.order, edges: G.size, first: Math.round(first), frames: frames.length, median: q(0.5).toFixed(1), p95: q(0.95).toFixed(1), max: frames[frames.length - 1].toFixed(1), longTasks: longTasks.length, longest: Math.round(Math.max(0, ...longTasks)) };
}, [Number(nodes), Number(edges), Number(seconds), Boolean(process.env.HIDE_EDGES_ON_MOVE)]);
console.log(`network ${r.nodes} nodes${process.env.HIDE_EDGES_ON_MOVE ? ' (edges hidden while moving)' : ''}, ${r.edges} edges: first draw ${r.first} ms; ${r.frames} frames of pan and zoom: median ${r.median} ms, p95 ${r.p95} ms, max ${r.max} ms; ${r.longTasks} long tasks (longest ${r.longest} ms)`);
await browser.close();

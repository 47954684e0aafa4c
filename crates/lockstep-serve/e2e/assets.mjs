// ASSETS=DIR for the measuring scripts (bench, profile, trace): the page's own files are served from DIR
// instead of the binary's, so a change to the page can be measured without a rebuild.
import fs from 'node:fs';
import path from 'node:path';

export async function assetsFromEnv(context) {
  if (!process.env.ASSETS) return;
  await context.route('**/assets/*', (route) => {
    const file = path.join(process.env.ASSETS, path.basename(new URL(route.request().url()).pathname));
    if (!fs.existsSync(file)) return route.continue();
    return route.fulfill({ body: fs.readFileSync(file), contentType: file.endsWith('.css') ? 'text/css' : 'text/javascript' });
  });
}

// Serves a directory as a plain static host does: its files, with their types, and nothing else. scripts/serve.sh
// serves the release build (dist/) with it, so a learner sees exactly what a documentation site would serve;
// the end-to-end tests serve it the same way (tests/e2e/harness.mjs).
//
//   node scripts/static.mjs DIR [--port N]   # N taken: an error; no --port: 8080, or the next free one
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json', '.png': 'image/png', '.txt': 'text/plain',
};

/// Serves `dir` at `prefix` (a path ending in `/`); anything outside it is 404. Resolves to the server once it
/// listens on `port` (0: any free port).
export function serveDirectory(dir, { prefix = '/', port = 0 } = {}) {
  const root = resolve(dir);
  const server = createServer(async (req, res) => {
    const requested = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (!requested.startsWith(prefix)) { res.writeHead(404).end('not found'); return; }
    const path = normalize(requested.slice(prefix.length)).replace(/^([/\\])+/, '');
    const file = join(root, path === '' || path === '.' ? 'index.html' : path);
    if (!file.startsWith(root)) { res.writeHead(403).end(); return; }
    try {
      const body = await readFile(file);
      // A rebuild changes the files' names but not index.html's: never let a browser keep an old one.
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok(server));
  });
}

async function main(args) {
  const dir = args.find((a) => !a.startsWith('--')) ?? 'dist';
  const given = args.includes('--port') ? Number(args[args.indexOf('--port') + 1]) : null;
  let port = given ?? 8080;
  for (;;) {
    try {
      const server = await serveDirectory(dir, { port });
      console.log(`\x1b[1m[serve]\x1b[0m Ordinal is at http://127.0.0.1:${server.address().port}/ (serving ${dir}/; Ctrl-C stops it)`);
      return;
    } catch (error) {
      if (error.code !== 'EADDRINUSE') throw error;
      if (given !== null) {
        console.error(`\x1b[1m[serve]\x1b[0m port ${port} is taken: stop what listens there, or pick another with --port N`);
        process.exit(1);
      }
      console.log(`\x1b[1m[serve]\x1b[0m port ${port} is taken; trying ${port + 1}`);
      port += 1;
    }
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main(process.argv.slice(2));
}

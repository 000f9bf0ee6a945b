// Two small HTTP servers for the browser tests and the browser benchmark, both on free localhost ports:
//  - the app: the production build, with the COOP/COEP headers that enable WASM threads; it
//    gzips the bundled models as many static hosts do, so their responses have no Content-Length;
//  - a stand-in for huggingface.co: `/<org>/<repo>/resolve/main/<file>` serves
//    tests/fixtures/models/<repo>/<file> (with Content-Length, so progress is byte-accurate),
//    org "gated" answers 401 like a gated repo, org "pt-only" hides model.safetensors and offers
//    tests/fixtures/pytorch_bin/<repo>.bin as pytorch_model.bin instead (like many older repos),
//    anything missing 404; `/raw/<path>` serves
//    tests/fixtures/<path> for the parity page. CORS is open, as on the real hub.

import { createReadStream } from 'node:fs';
import { createGzip } from 'node:zlib';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

export interface Server {
  url: string;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void>;

async function listen(handler: Handler): Promise<Server> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    handler(req, res, path).catch((e: unknown) => {
      res.writeHead(500).end(String(e));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** Sends a file under `root` (never outside it), or 404; gzipped (so without a length) when `gzip` and the client accepts it. */
async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  root: string,
  relative: string,
  headers: Record<string, string>,
  gzip = false,
) {
  const file = normalize(join(root, relative));
  const info = file.startsWith(root + sep) ? await stat(file).catch(() => null) : null;
  if (!info?.isFile()) {
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain', 'X-Error-Code': 'EntryNotFound' }).end('Entry not found');
    return;
  }
  const type = MIME[extname(file)] ?? 'application/octet-stream';
  if (gzip && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
    res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Encoding': 'gzip' });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(createGzip()).pipe(res);
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': String(info.size) });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
}

/** The build in `distDir`; `mounts` maps URL prefixes ("/ort/") to more folders (the benchmark's models and engines). */
export function serveApp(distDir: string, mounts: Record<string, string> = {}): Promise<Server> {
  const root = resolve(distDir);
  const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
  return listen((req, res, path) => {
    const mount = Object.keys(mounts).find((prefix) => path.startsWith(prefix));
    if (mount) return sendFile(req, res, resolve(mounts[mount]), path.slice(mount.length), headers);
    return sendFile(req, res, root, path.endsWith('/') ? `${path}index.html` : path, headers, path.startsWith('/models/'));
  });
}

export function serveHub(fixturesDir: string): Promise<Server> {
  const root = resolve(fixturesDir);
  const headers = {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Expose-Headers': 'Content-Length, X-Error-Code',
    'Cross-Origin-Resource-Policy': 'cross-origin',
  };
  return listen(async (req, res, path) => {
    if (path.startsWith('/raw/')) return sendFile(req, res, root, path.slice('/raw/'.length), headers);
    const match = /^\/([^/]+)\/([^/]+)\/resolve\/main\/(.+)$/.exec(path);
    if (match?.[1] === 'gated') {
      res.writeHead(401, { ...headers, 'X-Error-Code': 'GatedRepo' }).end('Access to this model is restricted.');
      return;
    }
    if (!match) {
      res.writeHead(404, headers).end('Not found');
      return;
    }
    const [, org, repo, file] = match;
    if (org === 'pt-only' && file === 'pytorch_model.bin') return sendFile(req, res, root, `pytorch_bin/${repo}.bin`, headers);
    if (org === 'pt-only' && file === 'model.safetensors') return sendFile(req, res, root, 'no-such-file', headers);
    return sendFile(req, res, join(root, 'models', repo), file, headers);
  });
}

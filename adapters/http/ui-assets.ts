// The web UI, bundled in memory when the server starts: esbuild turns ui/src/main.ts into hashed ES
// module chunks (mermaid and CodeMirror in chunks of their own, loaded by the pages that need them),
// kept in a map with their gzip forms. No build step, no files written, nothing fetched from a CDN.
import { readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import express, { type Request, type Response, type Router } from 'express';

const UI_DIR = fileURLToPath(new URL('../../ui/', import.meta.url));
/** Where esbuild believes it writes; nothing is written (write: false). */
const OUT_DIR = join(UI_DIR, '.virtual-out');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

interface Asset {
  type: string;
  body: Buffer;
  /** Present when compressing paid off. */
  gzip?: Buffer;
  cache: string;
}

export interface UiBundle {
  /** URL path (`/assets/main-3FQ2ZK4M.js`, `/styles.css`, `/`) → asset. */
  assets: Map<string, Asset>;
  /** The whole build: bundling and compressing. */
  buildMs: number;
  /** The esbuild part of it. */
  bundledMs: number;
}

function typeOf(file: string): string {
  const dot = file.lastIndexOf('.');
  return TYPES[dot < 0 ? '' : file.slice(dot)] ?? 'application/octet-stream';
}

function asset(body: Buffer, type: string, cache: string): Asset {
  const compressible = /^(text\/|application\/json|image\/svg)/.test(type) && body.length > 1024;
  return { type, body, cache, ...(compressible ? { gzip: gzipSync(body, { level: 6 }) } : {}) };
}

/** The file the entry point became (dynamically imported modules are entry points too, unnamed). */
function entryFile(metafile: Metafile): string {
  for (const out of Object.keys(metafile.outputs)) if (/^main-[A-Z0-9]+\.js$/.test(basename(out))) return basename(out);
  throw new Error('ui: esbuild produced no main chunk');
}

/** Bundles the UI into memory. Throws with esbuild's located messages when ui/src does not build. */
export async function buildUi(): Promise<UiBundle> {
  const started = performance.now();
  const result = await build({
    entryPoints: { main: join(UI_DIR, 'src/main.ts') },
    bundle: true,
    format: 'esm',
    splitting: true,
    minify: true,
    write: false,
    outdir: OUT_DIR,
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    assetNames: 'asset-[hash]',
    target: ['es2020', 'chrome90', 'firefox90', 'safari15'],
    platform: 'browser',
    charset: 'utf8',
    legalComments: 'eof',
    metafile: true,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
    // mermaid's own pre-bundled ESM build: the same code, a third of the bundling time of its sources
    alias: { mermaid: 'mermaid/dist/mermaid.esm.min.mjs' },
  });
  const bundledMs = Math.round(performance.now() - started);
  const assets = new Map<string, Asset>();
  for (const file of result.outputFiles) {
    const name = relative(OUT_DIR, file.path).split('\\').join('/');
    assets.set(`/assets/${name}`, asset(Buffer.from(file.contents), typeOf(name), IMMUTABLE));
  }
  const main = entryFile(result.metafile);
  // the page names the hashed entry, so every script can be cached for good and the page cannot
  // run a stale one
  const html = (await readFile(join(UI_DIR, 'index.html'), 'utf8')).replace('/assets/main.js', `/assets/${main}`);
  assets.set('/', asset(Buffer.from(html), TYPES['.html']!, REVALIDATE));
  assets.set('/assets/main.js', { ...assets.get(`/assets/${main}`)!, cache: REVALIDATE });
  assets.set('/styles.css', asset(await readFile(join(UI_DIR, 'styles.css')), TYPES['.css']!, REVALIDATE));
  return { assets, buildMs: Math.round(performance.now() - started), bundledMs };
}

function serve(a: Asset, req: Request, res: Response): void {
  res.setHeader('Content-Type', a.type);
  res.setHeader('Cache-Control', a.cache);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  const gzip = a.gzip && req.acceptsEncodings('gzip', 'identity') === 'gzip';
  if (a.gzip) res.setHeader('Vary', 'Accept-Encoding');
  if (gzip) res.setHeader('Content-Encoding', 'gzip');
  // express adds an ETag to a Buffer body and answers 304 to a matching If-None-Match
  res.send(gzip ? a.gzip : a.body);
}

/**
 * The router serving the UI: `/` (the page, revalidated each time), `/styles.css`, and
 * `/assets/<file>` (hashed names, cached for a year). It answers nothing else — `/api/*` never
 * reaches it from here.
 */
export async function uiRouter(options: { onBuilt?: (bundle: UiBundle) => void } = {}): Promise<Router> {
  const bundle = await buildUi();
  options.onBuilt?.(bundle);
  const router = express.Router();
  const lookup = (path: string) => (req: Request, res: Response, next: () => void) => {
    const a = bundle.assets.get(path);
    if (a) serve(a, req, res);
    else next();
  };
  router.get('/', lookup('/'));
  router.get('/index.html', lookup('/'));
  router.get('/styles.css', lookup('/styles.css'));
  router.get('/assets/:file', (req, res, next) => lookup(`/assets/${req.params.file}`)(req, res, next));
  return router;
}

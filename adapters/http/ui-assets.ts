// The web UI, built in memory when the server starts: esbuild bundles ui/src/main.ts into hashed ES
// module chunks (CodeMirror in a chunk of its own, loaded by the definitions editor), kept in a map
// with their gzip forms. Mermaid is not bundled again: its own pre-built, minified ESM build is
// served from a versioned path and loaded with import() on the definitions page only — bundling its
// sources took 95% of the build. No build step, no files written, nothing fetched from a CDN.
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile, type Plugin } from 'esbuild';
import express, { type Request, type Response, type Router } from 'express';

const UI_DIR = fileURLToPath(new URL('../../ui/', import.meta.url));
/** Where esbuild believes it writes; nothing is written (write: false). */
const OUT_DIR = join(UI_DIR, '.virtual-out');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
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
  /** The whole build: bundling, reading mermaid, compressing. */
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

interface Mermaid {
  /** The URL `import('mermaid')` becomes. */
  url: string;
  /** URL path → file, for the entry and its chunks. */
  files: Map<string, string>;
}

/** mermaid's pre-built ESM: `dist/mermaid.esm.min.mjs` and the chunks it imports, under a path
 * naming its version (so it can be cached for good). */
async function mermaidBuild(): Promise<Mermaid> {
  const pkgFile = createRequire(import.meta.url).resolve('mermaid/package.json');
  const { version } = JSON.parse(await readFile(pkgFile, 'utf8')) as { version: string };
  const dist = join(dirname(pkgFile), 'dist');
  const base = `/assets/vendor/mermaid-${version}`;
  const files = new Map([[`${base}/mermaid.esm.min.mjs`, join(dist, 'mermaid.esm.min.mjs')]]);
  const chunks = join(dist, 'chunks', 'mermaid.esm.min');
  for (const name of await readdir(chunks)) if (name.endsWith('.mjs')) files.set(`${base}/chunks/mermaid.esm.min/${name}`, join(chunks, name));
  return { url: `${base}/mermaid.esm.min.mjs`, files };
}

/** `import('mermaid')` stays an import, of the URL the pre-built file is served at. */
const mermaidExternal = (url: string): Plugin => ({
  name: 'mermaid-prebuilt',
  setup(b) {
    b.onResolve({ filter: /^mermaid$/ }, () => ({ path: url, external: true }));
  },
});

/** Bundles the UI into memory. Throws with esbuild's located messages when ui/src does not build. */
export async function buildUi(): Promise<UiBundle> {
  const started = performance.now();
  const mermaid = await mermaidBuild();
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
    plugins: [mermaidExternal(mermaid.url)],
  });
  const bundledMs = Math.round(performance.now() - started);
  const assets = new Map<string, Asset>();
  for (const file of result.outputFiles) {
    const name = relative(OUT_DIR, file.path).split('\\').join('/');
    assets.set(`/assets/${name}`, asset(Buffer.from(file.contents), typeOf(name), IMMUTABLE));
  }
  await Promise.all([...mermaid.files].map(async ([url, file]) => assets.set(url, asset(await readFile(file), typeOf(file), IMMUTABLE))));
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
 * `/assets/…` (hashed or versioned names, cached for a year). It answers nothing else — `/api/*`
 * never reaches it from here.
 */
export async function uiRouter(options: { onBuilt?: (bundle: UiBundle) => void } = {}): Promise<Router> {
  const bundle = await buildUi();
  options.onBuilt?.(bundle);
  const router = express.Router();
  const lookup = (path: string, req: Request, res: Response, next: () => void) => {
    const a = bundle.assets.get(path);
    if (a) serve(a, req, res);
    else next();
  };
  router.get(['/', '/index.html'], (req, res, next) => lookup('/', req, res, next));
  router.get('/styles.css', (req, res, next) => lookup('/styles.css', req, res, next));
  router.get('/assets/*path', (req, res, next) => lookup(`/assets/${(req.params as { path: string[] }).path.join('/')}`, req, res, next));
  return router;
}

// Real PostgreSQL and Redis for contract tests. Under CI=true a missing service fails the suite;
// elsewhere the suite is skipped, loudly.
import net from 'node:net';

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 1000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

/** In a describe's before(): skip (or, under CI, fail) when the service is not there. */
export async function requireService(ctx: Mocha.Context, name: 'PostgreSQL' | 'Redis'): Promise<void> {
  const url = new URL(name === 'PostgreSQL' ? POSTGRES_URL : REDIS_URL);
  if (await reachable(url.hostname, Number(url.port))) return;
  const message = `${name} is not reachable at ${url.host}`;
  if (process.env.CI === 'true') throw new Error(`${message}; CI needs it (see .ci/run)`);
  console.warn(`\n  !!! SKIPPED: ${message}. Start it to run these tests.\n`);
  ctx.skip();
}

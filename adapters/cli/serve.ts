// `tiendo start` (API, UI and workers in one process: what `npm start` runs), `tiendo serve` (API
// and UI only) and `tiendo worker` (timers and the outbox only), for scaling the halves apart on
// PostgreSQL + Redis. Each runs until SIGINT/SIGTERM, then stops taking work and closes cleanly.
import { loadConfig, startApp, type AppConfig } from '../app.ts';
import { startupProblem } from './startup.ts';
import type { Io } from './main.ts';

function banner(io: Io, url: string | undefined, app: Awaited<ReturnType<typeof startApp>>, config: AppConfig): void {
  const store = config.databaseUrl ? 'PostgreSQL' : `SQLite (${config.dataDir}/tiendo.sqlite)`;
  const queue = config.redisUrl ? 'BullMQ on Redis' : 'the embedded SQL queue';
  io.out(`Tiến độ is running on ${store} with ${queue}.\n`);
  if (url) io.out(`Open ${url}\n`);
  if (app.metricsUrl) io.out(`Metrics (Prometheus) at ${app.metricsUrl}\n`);
  if (app.noAccounts) {
    io.out(
      `\nChưa có tài khoản nào / no accounts yet. Dừng máy chủ rồi / stop the server, then:\n` +
        `  npx tiendo units import donvi.xlsx          # các đơn vị của tỉnh / the province's units\n` +
        `  npx tiendo admin create --login admin.so --name "Họ tên" --unit <mã Sở>   # quản trị đầu tiên / the first administrator\n` +
        `(README: "Start with your own province")\n`,
    );
  }
  if (app.demo) {
    io.out(`\nDemo accounts (password "${app.demo.password}"):\n`);
    for (const u of app.demo.users) io.out(`  ${u.login.padEnd(14)} ${u.name} — ${u.roles}\n`);
  }
}

async function run(io: Io, overrides: Partial<AppConfig>): Promise<number> {
  const config = { ...loadConfig(process.env), ...overrides };
  let app: Awaited<ReturnType<typeof startApp>>;
  try {
    app = await startApp({ ...config, log: (m) => io.err(`${m}\n`) });
  } catch (e) {
    const problem = startupProblem(e, config);
    if (!problem) throw e;
    io.err(`tiendo: ${problem}\n`);
    return 1;
  }
  banner(io, app.url, app, config);
  // Listening for good, not once: under `npm start` a Ctrl-C reaches this process twice (from the
  // terminal, and forwarded by npm), and a second SIGINT with no listener would kill it mid-close.
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    io.err(`${signal}: finishing work in hand and closing…\n`);
    app.logger.info({ signal }, 'signal received');
  };
  await new Promise<void>((resolve) => {
    process.on('SIGINT', () => (onSignal('SIGINT'), resolve()));
    process.on('SIGTERM', () => (onSignal('SIGTERM'), resolve()));
  });
  await app.close();
  return 0;
}

export const startCommand = (_args: string[], io: Io) => run(io, {});
export const serveCommand = (_args: string[], io: Io) => run(io, { workers: false });
export const workerCommand = (_args: string[], io: Io) => run(io, { api: false, demo: false });

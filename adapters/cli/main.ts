// `tiendo <command>`: one entry point, each command in its own module. Returns the exit code instead
// of calling process.exit, so tests can run it in-process.
import { backupCommand, restoreCommand } from './backup.ts';
import { adminCommand } from './admin.ts';
import { compileCommand, diagramCommand } from './compile.ts';
import { serveCommand, startCommand, workerCommand } from './serve.ts';
import { simulateCommand } from './simulate.ts';
import { unitsCommand } from './units.ts';
import { validateCommand } from './validate.ts';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** The environment a command reads its configuration from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Standard input (default process.stdin): whether it is a terminal, and its first line. */
  stdin?: { isTTY: boolean; readLine(): Promise<string> };
}

const stdio: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

type Command = (args: string[], io: Io) => Promise<number> | number;

const COMMANDS: Record<string, { run: Command; help: string }> = {
  validate: {
    run: validateCommand,
    help: 'validate FILE|DIR... [--json] [--library] [--lang vi|en]   check process definitions; every problem as file:line:col (--library: as the shipped library, every event and option titled)',
  },
  compile: { run: compileCommand, help: 'compile FILE [--stages]          print the XState machine config (or the stage table) as JSON' },
  diagram: { run: diagramCommand, help: 'diagram FILE [--lang en]         print a Mermaid stateDiagram-v2 of the process' },
  start: { run: startCommand, help: 'start                            API, web UI and workers in one process (PORT, DATABASE_URL, REDIS_URL…)' },
  serve: { run: serveCommand, help: 'serve                            the API and web UI only (scale apart from the workers)' },
  worker: { run: workerCommand, help: 'worker                           timers and the outbox relay only (TIENDO_METRICS_PORT: /metrics)' },
  units: {
    run: unitsCommand,
    help:
      'units import FILE [--dry-run] [--reason TEXT] [--lang en] [--json]   the org tree from a .csv/.xlsx unit list; every problem as file:row:col\n' +
      '  tiendo units export FILE [--root CODE] [--lang en]   the org tree to a .csv/.xlsx unit list that import reads back unchanged',
  },
  backup: { run: backupCommand, help: 'backup FILE [--force]            copy the SQLite store to FILE while the server runs' },
  restore: { run: restoreCommand, help: 'restore FILE [--force]           put a backup back in place (server stopped)' },
  admin: {
    run: adminCommand,
    help: 'admin create --login L --name "Họ tên" --unit CODE [--role administrator|supervisor|staff] [--email E] [--phone P]\n                                   an account on the configured store; password from stdin, else a one-time one',
  },
  simulate: {
    run: simulateCommand,
    help: 'simulate SCENARIO.yaml [--lang en]   run one school or a small tree through a process with a jumping clock; JSON out',
  },
};

export function usage(): string {
  return ['usage: tiendo <command> [options]', '', ...Object.values(COMMANDS).map((c) => `  tiendo ${c.help}`), ''].join('\n');
}

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`tiendo: unknown command "${name}"; commands are: ${Object.keys(COMMANDS).join(', ')}\n`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`tiendo ${name}: ${e.message}\n${usage()}`);
      return 2;
    }
    throw e;
  }
}

export class UsageError extends Error {}

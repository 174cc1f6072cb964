// Runs the `tiendo` command as a process of its own, as a user would, until it exits by itself.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../fault/harness.ts';

/** `tiendo <command>` with only the environment given (plus PATH, HOME, no demo, loopback): its exit
 * code and everything it printed. Killed after 60 s. */
export function runToExit(command: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/tiendo.js'), command], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', TIENDO_DEMO: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, output });
    }),
  );
}

// `kill -TERM` of the `npm start` process stops the server (issue 13). npm forwards SIGTERM to the
// script's shell, and dash (Debian's /bin/sh) runs `node …` as a child rather than in its own place:
// the shell died of the signal and the node server, orphaned, kept answering on its port. The script
// now `exec`s node, so the signal npm forwards reaches the server, which closes and exits.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { freePort, ROOT, sleep, waitFor } from '../fault/harness.ts';

/** The pids descending from `pid`, read from /proc. */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of parentOf) if (parent === p) (found.push(child), walk(child));
  };
  walk(pid);
  return found;
}

/** Alive, and not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('npm start under SIGTERM (issue 13)', function () {
  this.timeout(90_000);
  const dir = mkdtempSync(join(tmpdir(), 'tiendo-npm-start-'));
  const left: number[] = [];
  after(() => {
    for (const pid of left) if (alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops the server: the port stops answering and no process is left', async () => {
    const port = await freePort();
    const npm = spawn('npm', ['start'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        TIENDO_DEMO: '0',
        TIENDO_DATA_DIR: dir,
        HOST: '127.0.0.1',
        PORT: String(port),
        TIENDO_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    npm.stdout.on('data', (d: Buffer) => (output += d.toString()));
    npm.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => npm.once('exit', (code, signal) => resolve({ code, signal })));
    const health = `http://127.0.0.1:${port}/api/health`;
    await waitFor(`npm start to answer on ${port}`, 60_000, async () => (await fetch(health)).status === 200, 250);
    // Started empty, it says how to get a first account (nobody could sign in otherwise); the pipe may
    // bring the words a moment after the port answers.
    await waitFor('the empty store explained', 10_000, async () => output.includes('tiendo admin create --login'), 100).catch(() => undefined);
    expect(output, 'the empty store is explained').to.include('tiendo admin create --login');
    const tree = descendants(npm.pid!);
    left.push(...tree);
    expect(tree.length, `npm start runs a server under it\n${output}`).to.be.greaterThan(0);

    npm.kill('SIGTERM');
    const timer = setTimeout(() => npm.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
    await waitFor('every process of npm start to end', 15_000, () => tree.every((pid) => !alive(pid)), 100);
    const answered = await fetch(health).then(
      () => true,
      () => false,
    );
    expect(answered, `the port still answers after SIGTERM to npm\n${output}`).to.equal(false);
    expect(output, 'the server closed the polite way').to.match(/SIGTERM: finishing work in hand and closing/);
    await sleep(0);
  });
});

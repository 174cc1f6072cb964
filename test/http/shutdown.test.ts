// Shutdown of the API (what SIGTERM runs): a request in flight when it begins still gets its answer,
// and no new connection is taken meanwhile.
import { expect } from 'chai';
import net from 'node:net';
import { startApp } from '../../adapters/app.ts';

describe('API shutdown', function () {
  this.timeout(30_000);

  it('answers a request that was in flight when closing began, then refuses new connections', async () => {
    const app = await startApp({ sqliteFile: ':memory:', port: 0, ui: false, workers: false, demo: false, log: () => undefined });
    const { port } = new URL(app.url!);
    // A request whose body is still arriving when the close begins.
    const body = JSON.stringify({ login: 'nobody', password: 'not-this-one' });
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    let answer = '';
    socket.setEncoding('utf8').on('data', (d: string) => (answer += d));
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(`POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`);
    await new Promise((r) => setTimeout(r, 100));
    const closing = app.close();
    await new Promise((r) => setTimeout(r, 100));
    const refused = await new Promise<string>((resolve) => {
      const s = net.connect(Number(port), '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve('connected')));
      s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(refused, 'a new connection while closing').to.equal('ECONNREFUSED');
    socket.write(body.slice(10));
    const started = Date.now();
    await ended;
    await closing;
    expect(Date.now() - started, 'closed once the answer went, not after the keep-alive').to.be.lessThan(4_000); // the keep-alive is 5 s
    expect(answer, 'the in-flight request got its answer').to.match(/^HTTP\/1\.1 401 /);
    expect(answer).to.include('"code":"BAD_CREDENTIALS"');
  });
});

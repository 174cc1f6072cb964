// Real peers for the notifier tests: an SMTP server (smtp-server) and an HTTP server (node:http), both
// on 127.0.0.1 with a port the system picks, recording what they receive. Also a small reader for the
// MIME messages nodemailer writes (multipart/alternative, quoted-printable or base64, RFC 2047 subject).
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Escalation } from '../../engine/domain.ts';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

export async function startSmtp(): Promise<{ url: string; mails: ReceivedMail[]; close: () => Promise<void> }> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const mailFrom = session.envelope.mailFrom;
        mails.push({ from: mailFrom ? mailFrom.address : '', to: session.envelope.rcptTo.map((a) => a.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, mails, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Answers every request with `status` (changeable), or never answers when `status` is 0. */
export async function startHttp(): Promise<{ url: string; requests: ReceivedRequest[]; respond: { status: number }; close: () => Promise<void> }> {
  const requests: ReceivedRequest[] = [];
  const respond = { status: 204 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (respond.status) res.writeHead(respond.status, { 'Content-Type': 'text/plain' }).end(respond.status >= 300 ? 'boom' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/tiendo`,
    requests,
    respond,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function escalation(over: Partial<Escalation> = {}): Escalation {
  return {
    id: 'inst-1.self_assessment.1.1.0',
    instanceId: 'inst-1',
    unitPath: '/so-bt/pgd-cl/th-an-hoa/',
    stage: 'self_assessment',
    kind: 'overdue',
    firedAt: Date.UTC(2022, 2, 1, 1, 0),
    notified: [
      { role: 'school', unitId: 'th-an-hoa' },
      { role: 'district', unitId: 'pgd-cl' },
    ],
    ...over,
  };
}

export interface ParsedMail {
  headers: Map<string, string>;
  subject: string;
  text: string;
  html: string;
}

/** Just enough MIME to read what nodemailer sends. */
export function parseMail(raw: string): ParsedMail {
  const top = part(raw);
  const type = top.headers.get('content-type') ?? '';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  const parts = boundary ? top.body.split(`--${boundary}`).slice(1, -1).map(part) : [top];
  const find = (t: string) => parts.find((p) => (p.headers.get('content-type') ?? '').startsWith(t));
  return {
    headers: top.headers,
    subject: decodeWords(top.headers.get('subject') ?? ''),
    text: decodeBody(find('text/plain')),
    html: decodeBody(find('text/html')),
  };
}

function part(text: string): { headers: Map<string, string>; body: string } {
  const cut = text.indexOf('\r\n\r\n');
  const head = text
    .slice(0, cut)
    .replace(/^\r\n/, '')
    .replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map(head.split('\r\n').map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as [string, string]));
  return { headers, body: text.slice(cut + 4) };
}

function decodeBody(p: { headers: Map<string, string>; body: string } | undefined): string {
  if (!p) return '';
  const cte = (p.headers.get('content-transfer-encoding') ?? '').toLowerCase();
  if (cte === 'base64') return Buffer.from(p.body, 'base64').toString('utf8');
  if (cte === 'quoted-printable') return qp(p.body.replace(/=\r\n/g, ''));
  return p.body;
}

function qp(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '=' && /^[0-9A-F]{2}$/i.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(text[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodeWords(text: string): string {
  return text
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?([^?]+)\?([QB])\?([^?]*)\?=/gi, (_m, _cs: string, enc: string, data: string) =>
      enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : qp(data.replace(/_/g, ' ')),
    );
}

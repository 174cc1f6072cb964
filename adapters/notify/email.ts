// Escalations by e-mail, for the people who hold the notified roles: most school and Phòng staff
// read mail, not dashboards. Whom to write to is the caller's business (users live in the store);
// this adapter only turns a notice into one SMTP message.
import { createTransport, type SMTPSentMessageInfo, type Transporter } from 'nodemailer';
import type { Notifier } from '../../engine/ports.ts';
import type { Notice, Recipient } from '../../engine/domain.ts';
import { emailBody } from './email-body.ts';

/** Finds the addresses of the users holding `role` on `unitId`, for every pair given. */
export type RecipientResolver = (notified: Recipient[]) => Promise<string[]>;

export interface EmailOptions {
  /** `smtp://user:pass@host:587` (upgraded with STARTTLS when the server offers it) or
   * `smtps://user:pass@host:465` (TLS from the start). Credentials are URL-encoded. */
  smtpUrl: string;
  /** The From header, e.g. `Tiến độ <no-reply@so-gddt.example.vn>`. */
  from: string;
  /** Whom to write to, from the escalation's `notified` roles and units. */
  recipients: RecipientResolver;
  /** The app's public address; when set, each mail links to `<baseUrl>/#/instances/<instanceId>`. */
  baseUrl?: string;
  /** Give up on the SMTP server after this long, in ms (connecting, the greeting, each later wait).
   * Default 10000. */
  timeoutMs?: number;
}

/**
 * Sends one mail per escalation to every resolved address (all in `To`: the school, its Phòng and
 * its Sở see who else was told). No address → no mail, and no error. Each mail carries the header
 * `X-Tiendo-Escalation: <escalation id>`, the same on every retry, so a mailbox rule or a reader
 * can spot a repeat. An SMTP failure throws (the relay retries later).
 */
export class EmailNotifier implements Notifier {
  private readonly transport: Transporter<SMTPSentMessageInfo>;
  private readonly server: string;

  constructor(private readonly options: EmailOptions) {
    const url = parseSmtpUrl(options.smtpUrl);
    this.server = `${url.protocol}//${url.host}`;
    const timeoutMs = options.timeoutMs ?? 10_000;
    this.transport = createTransport(
      { url: url.href, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs },
      { from: options.from },
    );
  }

  async notify(notice: Notice): Promise<void> {
    const to = [...new Set((await this.options.recipients(notice.escalation.notified)).map((a) => a.trim()).filter(Boolean))];
    if (!to.length) return;
    const { subject, text, html } = emailBody(notice, this.options.baseUrl);
    try {
      await this.transport.sendMail({ to, subject, text, html, headers: { 'X-Tiendo-Escalation': notice.escalation.id } });
    } catch (error) {
      throw new Error(`e-mail via ${this.server} for escalation ${notice.escalation.id}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
  }

  /** Releases the transport (nothing is pooled, so this only matters to tidy tests). */
  close(): void {
    this.transport.close();
  }
}

function parseSmtpUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error('e-mail: the SMTP URL is not a URL (expected smtp://user:pass@host:port)');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new Error(`e-mail: the SMTP URL must start with smtp:// or smtps://, not ${url.protocol}//`);
  return url;
}

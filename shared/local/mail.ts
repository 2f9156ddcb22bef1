/**
 * E-mail on one machine (issue 14): through an SMTP server when SMTP_URL is set (nodemailer), otherwise each message
 * is written as an .eml file into DATA_DIR/outbox (open it in any mail program), so a demo shows real messages. With
 * DATA_DIR=:memory: the messages are kept in memory (`sent`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { TMail, TMailer } from '../services/notify.js';

export interface TLocalMailer extends TMailer {
  /** where messages go, in words (for the start banner) */
  where: string;
  /** the raw messages written, when kept in memory */
  sent: string[];
}

export function localMailer(opts: { smtpUrl?: string; dataDir: string; from: string }): TLocalMailer {
  const sent: string[] = [];
  const message = (m: TMail) => ({
    from: opts.from,
    to: m.to,
    subject: m.subject,
    text: m.text,
    html: m.html,
    messageId: `<${m.id}@service-temperature>`,
  });
  if (opts.smtpUrl) {
    const smtp = nodemailer.createTransport(opts.smtpUrl);
    const host = new URL(opts.smtpUrl).host;
    return { where: `SMTP ${host}`, sent, send: async (m) => void (await smtp.sendMail(message(m))) };
  }
  const stream = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const dir = opts.dataDir === ':memory:' ? undefined : join(opts.dataDir, 'outbox');
  return {
    where: dir ?? 'memory',
    sent,
    async send(m) {
      const info = await stream.sendMail(message(m));
      const raw = (info.message as Buffer).toString('utf8');
      if (!dir) {
        sent.push(raw);
        return;
      }
      mkdirSync(dir, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      writeFileSync(join(dir, `${stamp}-${m.id.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 80)}.eml`), raw, { mode: 0o600 });
    },
  };
}

/** The one-machine stand-in for the scheduled notify function: a tick every `everyMs`, never two at once. */
export function scheduleNotify(tick: () => Promise<unknown>, everyMs: number, onError: (err: unknown) => void): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = tick()
      .then(
        () => undefined,
        (err) => onError(err),
      )
      .finally(() => {
        running = undefined;
      });
  }, everyMs);
  timer.unref();
  // Stopping waits for a tick under way, so the engine is never closed beneath it (a refused connection in the log).
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

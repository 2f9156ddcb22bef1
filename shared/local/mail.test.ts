import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localMailer } from './mail.js';

const dir = mkdtempSync(join(tmpdir(), 'st-mail-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('local staff e-mail', () => {
  it('without SMTP_URL writes each message as an .eml file into DATA_DIR/outbox (UTF-8 subject, text and html)', async () => {
    const mailer = localMailer({ dataDir: dir, from: '服务温度 <no-reply@st.local>' });
    expect(mailer.where).toBe(join(dir, 'outbox'));
    await mailer.send({
      to: 'mgr@hall.cn',
      subject: '[服务温度] 新差评案件',
      text: '请联系群众\nhttps://x/cases/c1',
      html: '<p>x</p>',
      id: 'evt_1.u1',
    });
    const files = readdirSync(join(dir, 'outbox'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/evt_1\.u1\.eml$/);
    const raw = readFileSync(join(dir, 'outbox', files[0]), 'utf8');
    expect(raw).toMatch(/^To: mgr@hall\.cn$/m);
    expect(raw).toMatch(/^Subject: =\?UTF-8\?/m);
    expect(raw).toContain('Message-ID: <evt_1.u1@service-temperature>');
    expect(raw).toContain('text/html');
  });
  it('in memory keeps the raw messages', async () => {
    const mailer = localMailer({ dataDir: ':memory:', from: 'a@b.cn' });
    await mailer.send({ to: 'x@y.cn', subject: 's', text: 't', html: 'h', id: 'e' });
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]).toMatch(/^To: x@y\.cn$/m);
  });
});

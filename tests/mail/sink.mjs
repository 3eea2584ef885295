// sink.mjs -- the SMTP sink the tests send mail to: tests/mail/smtp_sink.py
// (Debian's python3-aiosmtpd) on a loopback port, and reading what it
// caught.
//
//   const sink = await startSink();   // { port, maildir, stop() }
//   readMails(sink.maildir);          // [{ rcpt, subject, text }] in order
//   linkIn(mail);                     // the first link in its text
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../api/harness.mjs';

const SINK = fileURLToPath(new URL('smtp_sink.py', import.meta.url));
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function startSink() {
  const dir = tempDir('candor-sink-');
  const portfile = join(dir, 'port');
  const maildir = join(dir, 'mail');
  mkdirSync(maildir);
  const child = spawn(PYTHON, [SINK, portfile, maildir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  for (let i = 0; i < 200 && !existsSync(portfile); i++) {
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  assert.ok(existsSync(portfile), `SMTP sink did not start: ${stderr}`);
  const port = Number(readFileSync(portfile, 'utf8').trim());
  return {
    port, maildir,
    stop: () => { child.kill('SIGTERM'); rmSync(dir, { recursive: true, force: true }); },
  };
}

function decodeQP(s) {
  return s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g,
    (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

// Every mail the sink caught, oldest first: recipient, subject and the
// decoded text body.
export function readMails(dir) {
  return readdirSync(dir).filter((f) => f.endsWith('.meta'))
    .map((f) => parseInt(f, 10)).sort((a, b) => a - b).map((n) => {
      const meta = readFileSync(join(dir, `${n}.meta`), 'utf8');
      const raw = readFileSync(join(dir, `${n}.eml`), 'latin1');
      const cut = raw.indexOf('\r\n\r\n');
      const head = raw.slice(0, cut).replace(/\r\n[ \t]/g, ' ');
      let body = raw.slice(cut + 4);
      if (/^Content-Transfer-Encoding: quoted-printable/mi.test(head)) body = decodeQP(body);
      const subject = /^Subject: (.*)$/m.exec(head);
      return {
        rcpt: /^rcpt_to: (.*)$/m.exec(meta)[1],
        subject: subject ? subject[1] : '',
        text: body.replace(/\r\n/g, '\n'),
      };
    });
}

// The first http(s) link in a mail's text; fails the test if there is none.
export function linkIn(mail) {
  const m = /https?:\/\/\S+/.exec(mail.text);
  assert.ok(m, `no link in the mail:\n${mail.text}`);
  return m[0];
}

// SPDX-FileCopyrightText: Candor contributors
// SPDX-License-Identifier: Apache-2.0
//
// notice.test.mjs -- /NOTICE.txt names every library the binary links and
// every browser library vendored into web/vendor/, with their licences.
//
// The libraries are read from the binary itself (readelf -d: NEEDED, then
// ldd for the file and dpkg -S for its Debian package), so a library that
// a module starts to link and tools/notice.sh misses fails here. The
// sanitizer and compiler runtimes (libasan, libubsan, libgcc_s, libstdc++)
// are skipped: only the sanitizer build of make check links them, and the
// shipped binary does not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, startServer } from './harness.mjs';

const VENDOR = new URL('../../web/vendor/', import.meta.url).pathname;
const RUNTIMES = /^(libasan|libubsan|liblsan|libtsan|libgcc_s|libstdc\+\+|ld-linux)/;

let srv;
let notice;
before(async () => {
  srv = await startServer();
  const res = await fetch(`http://127.0.0.1:${srv.port}/NOTICE.txt`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
  notice = await res.text();
});
after(async () => { await srv.stop(); });

function sh(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

// [{ soname, path }] of the NEEDED entries of BIN, runtimes left out.
function linkedLibraries() {
  const needed = [...sh('readelf', ['-d', BIN]).matchAll(/\(NEEDED\).*\[(.+)\]/g)].map((m) => m[1]);
  assert.ok(needed.length > 0, `readelf found no NEEDED entries in ${BIN}`);
  const paths = new Map();
  for (const m of sh('ldd', [BIN]).matchAll(/^\s*(\S+) => (\/\S+)/gm)) paths.set(m[1], m[2]);
  return needed.filter((n) => !RUNTIMES.test(n)).map((soname) => ({ soname, path: paths.get(soname) }));
}

function debianPackage(path) {
  if (!path) return '';
  const real = realpathSync(path);
  for (const p of [real, real.replace(/^\/usr/, ''), `/usr${real}`]) {
    const out = sh('dpkg', ['-S', p]).split('\n')[0];
    if (out) return out.split(':')[0];
  }
  return '';
}

test('/NOTICE.txt is plain text that starts with Candor\'s own notice', () => {
  assert.match(notice, /^Candor\nCopyright Candor contributors\n/);
  assert.match(notice, /Apache License, Version 2\.0/);
});

test('every library the binary links is named, with its package\'s copyright', () => {
  const libs = linkedLibraries();
  assert.ok(libs.some((l) => l.soname.startsWith('libh2o')), 'h2o is linked');
  for (const { soname, path } of libs) {
    const pkg = debianPackage(path);
    if (pkg) {
      const head = new RegExp(`^Shared library: .*\\(Debian package ${pkg.replace(/[.+]/g, '\\$&')}\\)$`, 'm');
      assert.match(notice, head, `${soname} (${pkg}) has no section in NOTICE.txt`);
      // The C library's section names libc.so.6 only; libm and friends are
      // part of the same package and the same licence.
      if (pkg !== 'libc6') assert.ok(notice.includes(soname), `${soname} is not named`);
      const copyright = `/usr/share/doc/${pkg}/copyright`;
      if (existsSync(copyright)) {
        const text = readFileSync(copyright, 'utf8');
        assert.ok(notice.includes(text), `the copyright file of ${pkg} is not in NOTICE.txt`);
      }
    } else {
      assert.ok(notice.includes(soname), `${soname} is not named`);
    }
  }
});

test('every vendored browser library is named with its licence files', (t) => {
  const libs = existsSync(VENDOR)
    ? readdirSync(VENDOR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)
    : [];
  if (libs.length === 0) {
    t.skip('web/vendor/ holds no library');
    return;
  }
  for (const name of libs) {
    assert.match(notice, new RegExp(`^Browser library: ${name.replace(/[.+]/g, '\\$&')}( |$)`, 'm'));
    const licences = readdirSync(join(VENDOR, name)).filter((f) => /^(licen[cs]e|copying|notice)/i.test(f));
    assert.ok(licences.length > 0, `web/vendor/${name} has no licence file`);
    for (const f of licences) {
      assert.ok(notice.includes(readFileSync(join(VENDOR, name, f), 'utf8')), `web/vendor/${name}/${f} is not in NOTICE.txt`);
    }
  }
});

// SPDX-FileCopyrightText: Candor contributors
// SPDX-License-Identifier: Apache-2.0
//
// manpage.test.mjs -- docs/candor.1 agrees with the binary and the docs.
//
// - The commands of `candor --help` are the ".SS candor COMMAND"
//   subsections of the man page, and each command's `--help` lists exactly
//   the options of its subsection's ".TP" items, and every number of an
//   option's --help lines (a range, a default) is in its ".TP" item too.
// - Every CANDOR_ variable of docs/configuration.md is under ENVIRONMENT.
// - groff renders the page without a warning (groff -ww -z), when groff is
//   installed (tools/deps.sh: groff-base, test group).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { BIN, run } from './harness.mjs';

const MAN_PATH = new URL('../../docs/candor.1', import.meta.url).pathname;
const MAN = readFileSync(MAN_PATH, 'utf8');
const CONFIG = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');

// The text of the man page's section ".SH name" (up to the next .SH).
function section(name) {
  const start = MAN.indexOf(`\n.SH ${name}\n`);
  assert.ok(start >= 0, `the man page has no ${name} section`);
  const end = MAN.indexOf('\n.SH ', start + 1);
  return MAN.slice(start, end < 0 ? undefined : end);
}

// { command: Set of options } from ".SS candor X" subsections: the first
// line after each ".TP" holds the option ("\-\-envfile", ".BR \-h ...").
function manCommands() {
  const cmds = new Map();
  for (const part of section('COMMANDS').split('\n.SS ').slice(1)) {
    const lines = part.split('\n');
    const m = /^candor (\S+)$/.exec(lines[0]);
    assert.ok(m, `unexpected subsection "${lines[0]}" under COMMANDS`);
    const opts = new Set();
    lines.forEach((l, i) => {
      if (l !== '.TP') return;
      for (const o of lines[i + 1].replaceAll('\\-', '-').matchAll(/(?<![\w-])(--?[a-z][a-z-]*)/g)) opts.add(o[1]);
    });
    cmds.set(m[1], opts);
  }
  return cmds;
}

// The options of one command's --help: the lines of its "Options:" block.
function helpOptions(cmd) {
  const r = run([cmd, '--help']);
  assert.equal(r.status, 0, `candor ${cmd} --help failed: ${r.stderr}`);
  const opts = new Set();
  const block = r.stdout.split(/^Options:\n/m)[1];
  if (!block) return opts; // e.g. "candor version": only -h/--help, unlisted
  for (const line of block.split('\n\n')[0].split('\n')) {
    const m = /^ {2}(-[^ ].*?)(?: {2,}|$)/.exec(line);
    if (!m) continue;
    for (const o of m[1].matchAll(/(?<![\w-])(--?[a-z][a-z-]*)/g)) opts.add(o[1]);
  }
  return opts;
}

// { option: text } of one command's --help: each option line of the
// "Options:" block with the lines indented under it.
function helpOptionTexts(cmd) {
  const r = run([cmd, '--help']);
  assert.equal(r.status, 0, `candor ${cmd} --help failed: ${r.stderr}`);
  const texts = new Map();
  const block = r.stdout.split(/^Options:\n/m)[1];
  if (!block) return texts;
  let opts = [];
  for (const line of block.split('\n\n')[0].split('\n')) {
    const m = /^ {2}(-[^ ].*?)(?: {2,}|$)(.*)$/.exec(line);
    if (m) {
      opts = [...m[1].matchAll(/(?<![\w-])(--?[a-z][a-z-]*)/g)].map((o) => o[1]);
      for (const o of opts) texts.set(o, `${m[1]} ${m[2]}`);
    } else if (/^ {3,}\S/.test(line)) {
      for (const o of opts) texts.set(o, `${texts.get(o)} ${line.trim()}`);
    }
  }
  return texts;
}

// { command: { option: text } } of the man page's ".TP" items.
function manOptionTexts() {
  const cmds = new Map();
  for (const part of section('COMMANDS').split('\n.SS ').slice(1)) {
    const lines = part.replaceAll('\\-', '-').split('\n');
    const items = new Map();
    lines.forEach((l, i) => {
      if (l !== '.TP') return;
      let end = lines.indexOf('.TP', i + 1);
      if (end < 0) end = lines.length;
      const text = lines.slice(i + 1, end).join('\n');
      for (const o of lines[i + 1].matchAll(/(?<![\w-])(--?[a-z][a-z-]*)/g)) items.set(o[1], text);
    });
    cmds.set(lines[0].replace(/^candor /, ''), items);
  }
  return cmds;
}

function binaryCommands() {
  const r = run(['--help']);
  assert.equal(r.status, 0);
  const block = r.stdout.split(/^Commands:\n/m)[1];
  assert.ok(block, 'candor --help lists no commands');
  return block.split('\n\n')[0].split('\n').map((l) => /^ {2}(\S+)/.exec(l)?.[1]).filter(Boolean);
}

test('the man page documents exactly the commands of candor --help', () => {
  const man = [...manCommands().keys()].sort();
  const bin = binaryCommands().sort();
  assert.deepEqual(man, bin, `${BIN} --help and docs/candor.1 list different commands`);
});

test('each command\'s --help lists the options of its man page subsection', () => {
  const man = manCommands();
  for (const cmd of binaryCommands()) {
    const want = man.get(cmd);
    assert.ok(want, `candor ${cmd} has no subsection in docs/candor.1`);
    const got = helpOptions(cmd);
    // A help without an options block still answers -h and --help.
    if (got.size === 0) { got.add('-h'); got.add('--help'); }
    assert.deepEqual([...got].sort(), [...want].sort(), `options of candor ${cmd}`);
  }
});

test('the numbers of an option\'s --help are those of its man page item, in order', () => {
  const man = manOptionTexts();
  const numbers = (text) => [...text.matchAll(/\d+/g)].map(([n]) => n);
  let checked = 0;
  for (const cmd of binaryCommands()) {
    for (const [opt, help] of helpOptionTexts(cmd)) {
      const item = man.get(cmd)?.get(opt);
      assert.ok(item !== undefined, `candor ${cmd} ${opt} has no man page item`);
      const want = numbers(help);
      if (want.length === 0) continue;
      assert.deepEqual(numbers(item), want, `candor ${cmd} ${opt}: the numbers of "${help}" and of its docs/candor.1 item differ`);
      checked += want.length;
    }
  }
  assert.ok(checked >= 8, 'the ranges and defaults of demo and secret are checked');
});

test('every CANDOR_ variable of docs/configuration.md is under ENVIRONMENT', () => {
  const env = section('ENVIRONMENT').replaceAll('\\-', '-');
  const table = CONFIG.split('\n').filter((l) => l.startsWith('| `CANDOR_'));
  assert.ok(table.length >= 20, 'docs/configuration.md has its table of variables');
  const names = new Set(table.map((l) => /`(CANDOR_[A-Z0-9_]+)`/.exec(l)[1]));
  const missing = [...names].filter((n) => !new RegExp(`\\b${n}\\b`).test(env));
  assert.deepEqual(missing, [], 'variables missing from the ENVIRONMENT section of docs/candor.1');
});

test('groff renders the man page without warnings', (t) => {
  const probe = spawnSync('groff', ['-v'], { stdio: 'ignore' });
  if (probe.error) {
    t.skip('groff is not installed');
    return;
  }
  const r = spawnSync('groff', ['-ww', '-man', '-z', MAN_PATH], { encoding: 'utf8' });
  assert.equal(r.stdout, '');
  assert.equal(r.status, 0);
  assert.equal(r.stderr, '', `groff warnings:\n${r.stderr}`);
});

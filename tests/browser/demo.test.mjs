// demo.test.mjs -- `candor demo` as a newcomer meets it: the real command
// on a free port, its printed login URL opened in Chromium, the printed
// email and password typed into the login page, and the dashboard that
// follows shows non-zero numbers once it has synced and decrypted every
// one of the demo's encrypted events: unique visitors, sessions, page views and a
// pages table with rows for the default range (last 7 days), and at least
// as many page views for "Last 6 months"; "Last 24 hours" shows 24
// hourly buckets, labelled by their hour, that add up to its page views;
// a custom range of eight weeks, entered in the form, shows weekly buckets
// labelled by their Monday.
// No number reads NaN, no page error is thrown, and axe-core finds no
// violation with the demo's data.
// SIGTERM ends the demo cleanly and its data folder is gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { BIN, cleanEnv, tempDir } from '../api/harness.mjs';
import { axeViolations, launch } from './lib.mjs';

// Start `candor demo ARGS` in a throwaway TMPDIR and wait for its banner,
// printed once the server accepts connections; the banner's fields
// (URL, Log in, Email, Password, Data) are returned with stop().
async function startDemo(args = []) {
  const tmp = tempDir('candor-demo-browser-');
  const child = spawn(BIN, ['demo', ...args], {
    env: cleanEnv({ HOME: tmp, TMPDIR: tmp }),
    cwd: tmp,
  });
  const demo = { child, tmp, stdout: '', stderr: '', exited: null };
  child.stdout.on('data', (d) => { demo.stdout += d; });
  child.stderr.on('data', (d) => { demo.stderr += d; });
  demo.exit = new Promise((resolve) => child.on('exit', (code, signal) => {
    demo.exited = { code, signal };
    resolve(demo.exited);
  }));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 180 s:\n${demo.stderr}`)), 180000);
    child.stdout.on('data', () => {
      if (/Press Ctrl-C to stop/.test(demo.stdout)) { clearTimeout(timer); resolve(); }
    });
    demo.exit.then((e) => {
      clearTimeout(timer);
      reject(new Error(`demo exited (${JSON.stringify(e)}):\n${demo.stderr}`));
    });
  });
  const field = (name) => {
    const m = new RegExp(`^ +${name}: +(\\S+)`, 'm').exec(demo.stdout);
    assert.ok(m, `no ${name} line in:\n${demo.stdout}`);
    return m[1];
  };
  const seeded = /(\d+) visitors, (\d+) page views over (\d+) days/.exec(demo.stdout);
  assert.ok(seeded, `no summary line in:\n${demo.stdout}`);
  demo.visitors = Number(seeded[1]);
  demo.pageViews = Number(seeded[2]);
  demo.loginUrl = field('Log in');
  demo.email = field('Email');
  demo.password = field('Password');
  demo.accountId = field('Account');
  demo.dataDir = field('Data');
  demo.stop = async () => {
    if (!demo.exited) child.kill('SIGTERM');
    const e = await demo.exit;
    assert.equal(e.code, 0, `demo exited with ${JSON.stringify(e)}:\n${demo.stderr}`);
  };
  return demo;
}

// What the dashboard shows: each key metric as its exact number (the
// title holds it when the text is abbreviated, "1.2k") and its text, and
// the cells of each data table.
async function shown(page) {
  return page.evaluate(() => {
    const metrics = {};
    for (const dd of document.querySelectorAll('[data-metric]')) {
      const exact = (dd.getAttribute('title') || dd.textContent).replace(/,/g, '');
      metrics[dd.dataset.metric] = { text: dd.textContent, value: Number(exact) };
    }
    const tables = {};
    for (const sec of document.querySelectorAll('[data-table]')) {
      tables[sec.dataset.table] = [...sec.querySelectorAll('tbody tr')]
        .map((tr) => [...tr.children].map((c) => c.textContent))
        .filter((r) => r.length > 1);
    }
    return { metrics, tables, text: document.body.innerText };
  });
}

function assertFilled(got, label) {
  for (const key of ['uniqueUsers', 'uniqueSessions', 'totalPageviews']) {
    const m = got.metrics[key];
    assert.ok(m, `${label}: metric ${key} is shown`);
    assert.ok(Number.isInteger(m.value) && m.value > 0, `${label}: ${key} is "${m.text}"`);
  }
  assert.ok(got.metrics.uniqueSessions.value >= got.metrics.uniqueUsers.value, `${label}: sessions >= visitors`);
  assert.ok(got.metrics.totalPageviews.value >= got.metrics.uniqueSessions.value, `${label}: views >= sessions`);
  assert.ok(got.tables.pages?.length > 0, `${label}: the pages table has rows`);
  for (const row of got.tables.pages) assert.ok(Number(row.at(-1).replace(/,/g, '')) > 0, `${label}: ${row}`);
  assert.doesNotMatch(got.text, /NaN|undefined|Infinity/, `${label}: every number is a number`);
}

test('candor demo: log in from the printed URL, the dashboard shows its data, SIGTERM cleans up',
  { timeout: 420000 }, async () => {
    const demo = await startDemo();
    let stopped = false;
    let browser = null;
    try {
      assert.match(demo.loginUrl, /^http:\/\/127\.0\.0\.1:\d+\/login\/$/);
      assert.ok(existsSync(demo.dataDir), demo.dataDir);
      browser = await launch();
      const context = await browser.newContext({ locale: 'en-US', timezoneId: 'UTC' });
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));

      // Log in as a person would: type into the form, press the button.
      await page.goto(demo.loginUrl);
      await page.getByLabel('Email address').click();
      await page.keyboard.type(demo.email);
      await page.getByLabel('Password').click();
      await page.keyboard.type(demo.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL((u) => u.pathname === `/auditorium/${demo.accountId}/`, { timeout: 30000 });
      await page.waitForSelector('[data-dashboard="ready"]', { timeout: 180000 });

      // every seeded page view was fetched and decrypted in this browser:
      // the view's four weeks before the first draw, the older days after
      const first = await page.evaluate(() => window.candorDashboard.decrypted);
      assert.ok(first > 0 && first <= demo.pageViews, `${first} of ${demo.pageViews} before the first draw`);
      await page.waitForFunction((n) => window.candorDashboard.decryptedAll === n, demo.pageViews,
        { timeout: 180000 });

      const week = await shown(page);
      assertFilled(week, 'last 7 days');
      assert.equal(await page.getAttribute('.range a:text("Last 7 days")', 'aria-current'), 'true');
      assert.deepEqual(await axeViolations(page), [], 'axe on the last 7 days');

      await page.click('.range a:text("Last 6 months")');
      await page.waitForURL(/range=6&resolution=months/);
      await page.waitForSelector('[data-dashboard="ready"]');
      assert.equal(await page.getAttribute('.range a:text("Last 6 months")', 'aria-current'), 'true');
      const half = await shown(page);
      assertFilled(half, 'last 6 months');
      for (const key of ['uniqueUsers', 'uniqueSessions', 'totalPageviews']) {
        assert.ok(half.metrics[key].value >= week.metrics[key].value,
          `${key}: 6 months ${half.metrics[key].text} >= 7 days ${week.metrics[key].text}`);
      }
      assert.ok(half.metrics.totalPageviews.value > week.metrics.totalPageviews.value,
        'months of history show more page views than a week');
      assert.ok(half.metrics.totalPageviews.value <= demo.pageViews);
      assert.ok(half.metrics.uniqueUsers.value <= demo.visitors);
      assert.deepEqual(await axeViolations(page), [], 'axe on the last 6 months');

      // The last 24 hours: hourly buckets, each labelled in the chart's
      // table by the hour it covers ("10:00 PM"), not by a minute of it.
      await page.click('.range a:text("Last 24 hours")');
      await page.waitForURL(/range=24&resolution=hours/);
      await page.waitForSelector('[data-dashboard="ready"]');
      const day = await shown(page);
      assert.doesNotMatch(day.text, /NaN|undefined|Infinity/);
      assert.equal(day.tables.series.length, 24);
      for (const [label] of day.tables.series) assert.match(label, /, \d{1,2}:00\s[AP]M$/, label);
      const hourly = day.tables.series.reduce((n, r) => n + Number(r[1].replace(/,/g, '')), 0);
      assert.equal(hourly, day.metrics.totalPageviews.value, 'the hours add up to the page views');

      // A custom range through the form, from a Monday seven weeks back to
      // today: weekly buckets, each labelled by its Monday, adding up.
      const today = new Date();
      const monday = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(),
        today.getUTCDate() - ((today.getUTCDay() + 6) % 7) - 49));
      await page.fill('#range-from', monday.toJSON().slice(0, 10));
      await page.fill('#range-to', today.toJSON().slice(0, 10));
      await page.getByRole('button', { name: 'Show range' }).click();
      await page.waitForURL(/from=\d{4}-\d\d-\d\d&to=/);
      await page.waitForSelector('[data-dashboard="ready"]');
      const weeks = await shown(page);
      assertFilled(weeks, 'custom range');
      assert.equal(weeks.tables.series.length, 8);
      for (const [label] of weeks.tables.series) {
        const m = /^Week \d+ \((\d+)\/(\d+)\/(\d{4})\)$/.exec(label);
        assert.ok(m, label);
        assert.equal(new Date(Date.UTC(m[3], m[1] - 1, m[2])).getUTCDay(), 1, `${label} is a Monday`);
      }
      assert.equal(weeks.tables.series[0][0].includes(`${monday.getUTCMonth() + 1}/${monday.getUTCDate()}/`), true);
      const weekly = weeks.tables.series.reduce((n, r) => n + Number(r[1].replace(/,/g, '')), 0);
      assert.equal(weekly, weeks.metrics.totalPageviews.value, 'the weeks add up to the page views');
      assert.deepEqual(errors, []);
      await context.close();

      await demo.stop();
      stopped = true;
      assert.ok(!existsSync(demo.dataDir), 'the data folder is removed on exit');
    } finally {
      await browser?.close();
      if (!stopped) demo.child.kill('SIGKILL');
      rmSync(demo.tmp, { recursive: true, force: true });
    }
  });

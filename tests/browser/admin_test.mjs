// The administration pages in a real browser (Debian's chromium via playwright-core): log in,
// add a phone, schedule Install/Upgrade By Null String on its page, let the phone simulator
// enroll, and see what CUCM's pages would show; search, the CAPF report's CSV, bulk import, and
// forms refused without their CSRF token. run.sh starts the server and passes, in the
// environment: OPENCAPF_URL, OPENCAPF_PASSWORD, OPENCAPF_BINARY, OPENCAPF_CAPF_PORT,
// OPENCAPF_TFTP_PORT, OPENCAPF_WORK (a scratch directory) and ARTIFACT_DIR.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const env = process.env;
for (const name of ['OPENCAPF_URL', 'OPENCAPF_PASSWORD', 'OPENCAPF_BINARY', 'OPENCAPF_CAPF_PORT',
  'OPENCAPF_TFTP_PORT', 'OPENCAPF_WORK', 'ARTIFACT_DIR']) {
  if (!env[name]) {
    console.log(`FAIL: ${name} is not set; run this through tests/browser/run.sh`);
    process.exit(2);
  }
}
const base = env.OPENCAPF_URL;
const artifacts = env.ARTIFACT_DIR;
const PHONE = 'SEP001122334455';
const OTHER = 'SEP0011223344AA';
const IMPORTED = 'SEP0011223344CC';

let passed = 0;
class CheckFailed extends Error {}

function pass(what) {
  passed += 1;
  console.log(`ok   ${what}`);
}

function check(condition, what, detail = '') {
  if (!condition) throw new CheckFailed(detail ? `${what}: ${detail}` : what);
  pass(what);
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({
  ignoreHTTPSErrors: true,
  acceptDownloads: true,
  viewport: { width: 1280, height: 900 },
});
const page = await context.newPage();
page.setDefaultTimeout(20000);
// What the browser refused (a Content-Security-Policy violation) or a script error: the pages
// must work with nothing inline.
const browserErrors = [];
page.on('console', (msg) => {
  if (msg.type() === 'error') browserErrors.push(msg.text());
});
page.on('pageerror', (error) => browserErrors.push(String(error)));

const text = async (selector) => (await page.locator(selector).innerText()).trim();
const pathOf = () => new URL(page.url()).pathname;

// Submits the form holding `button` and waits for the page it leads to; the main response.
async function submit(button) {
  const [response] = await Promise.all([page.waitForNavigation(), page.click(button)]);
  return response;
}

async function run() {
  // ---- Logging in.
  await page.goto(`${base}/`);
  check(pathOf() === '/login', 'a visit without a session is sent to /login', page.url());
  await page.fill('#user', 'admin');
  await page.fill('#password', 'not-the-password');
  let response = await submit('form.login button[type=submit]');
  check(response.status() === 401, 'a wrong password is refused with 401', `${response.status()}`);
  check(pathOf() === '/login' && (await text('#login-error')).includes('Wrong user name or password'),
    'a wrong password shows "Wrong user name or password" and stays on /login');

  await page.fill('#password', env.OPENCAPF_PASSWORD);
  await submit('form.login button[type=submit]');
  check(pathOf() === '/' && (await text('h1')) === 'Dashboard', 'the right password opens the dashboard');
  check((await text('tr[data-service=CAPF] td.up')) === 'Running'
    && (await text('tr[data-service=CAPF]')).includes(env.OPENCAPF_CAPF_PORT),
  'the dashboard shows CAPF running on its port');

  // ---- Adding phones.
  await page.click('a[href="/devices"]');
  await submit('#add-phone');
  check(pathOf() === '/devices/new', 'Add Phone opens the new phone form');
  await page.fill('#name', PHONE);
  await submit('#save');
  check(pathOf() === `/devices/${PHONE}` && (await text('#flash')).includes(`Added ${PHONE}`),
    `${PHONE} is added and its page opens`);
  check((await text('#capf-information h2')) === 'CAPF Information',
    'the phone page has the "CAPF Information" section');

  await page.goto(`${base}/devices/new`);
  await page.fill('#name', OTHER.toLowerCase());
  await submit('#save');
  check(pathOf() === `/devices/${OTHER}`, `${OTHER} is added (its name typed in lower case)`);

  // ---- Generate String, and a refused form keeps what was typed.
  await page.goto(`${base}/devices/${PHONE}`);
  await page.click('#generate-string');
  const generated = await page.inputValue('#auth_string');
  check(/^[0-9]{8}$/.test(generated), 'Generate String fills 8 random digits', generated);
  await page.selectOption('#operation', 'install');
  response = await submit('#save');
  check(response.status() === 400
    && (await text('#form-error')).includes('Authentication String is only used with Authentication Mode By Authentication String'),
  'a string with By Null String is refused with a message in the page\'s words');
  check(await page.inputValue('#auth_string') === generated
    && await page.inputValue('#operation') === 'install',
  'the refused form keeps the typed values');
  check((await text('#operation-status')) === 'None', 'the refused form changed nothing');

  // ---- Scheduling: Certificate Operation = Install/Upgrade, Authentication Mode = By Null String.
  await page.fill('#auth_string', '');
  await page.selectOption('#operation', 'install');
  await page.selectOption('#auth', 'null-string');
  response = await submit('#save');
  check(pathOf() === `/devices/${PHONE}` && response.status() === 200,
    'Save redirects back to the phone page', `${page.url()} ${response.status()}`);
  const flash = await text('#flash');
  check(flash.includes(`Saved ${PHONE}`) && flash.includes('Certificate Operation: No Pending Operation -> Install/Upgrade'),
    'the page says what was saved', flash);
  check((await text('#operation-status')) === 'Operation Pending',
    'Certificate Operation Status is Operation Pending');
  check(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(await page.inputValue('#complete_by')),
    'Operation Completes By is filled in, in ISO 8601 UTC', await page.inputValue('#complete_by'));

  // ---- The phone enrolls (the phone simulator: TFTP, ITL, CAPF).
  const state = path.join(env.OPENCAPF_WORK, 'phone-state');
  const enroll = spawnSync(env.OPENCAPF_BINARY, ['phone', 'enroll', PHONE,
    '--tftp', `127.0.0.1:${env.OPENCAPF_TFTP_PORT}`, '--capf', `127.0.0.1:${env.OPENCAPF_CAPF_PORT}`,
    '--state', state, '--timeout', '60'], { encoding: 'utf8', timeout: 180000 });
  check(enroll.status === 0 && /^LSC: Installed$/m.test(enroll.stdout),
    'opencapf phone enroll exits 0 with "LSC: Installed"',
    `exit ${enroll.status}\n${enroll.stdout}${enroll.stderr}`);

  await page.reload();
  check((await text('#lsc-status')) === 'Installed', 'after the session LSC Status is Installed',
    await text('#lsc-status'));
  check((await text('#operation-status')) === 'Upgrade Success',
    'Certificate Operation Status is Upgrade Success', await text('#operation-status'));
  check((await text('#lsc .subject')).includes(`CN=${PHONE}`) && /^[0-9A-F]+$/.test(await text('#lsc .serial')),
    'the LSC (serial, subject) is shown');
  check((await text('#history tbody tr:first-child td.result')) === 'success',
    'the session is in the history');
  await page.screenshot({ path: path.join(artifacts, 'device.png'), fullPage: true });
  pass('device.png saved');

  // ---- Searching by LSC Status.
  await page.goto(`${base}/devices`);
  await page.selectOption('#lsc_status', 'installed');
  await submit('#search button[type=submit]');
  check(new URL(page.url()).searchParams.get('lsc_status') === 'installed',
    'the search form puts LSC Status in the address');
  check(await page.locator(`tr[data-device="${PHONE}"]`).count() === 1
    && (await text(`tr[data-device="${PHONE}"] td.lsc-status`)) === 'Installed',
  `LSC Status = Installed lists ${PHONE}`);
  check(await page.locator(`tr[data-device="${OTHER}"]`).count() === 0,
    `LSC Status = Installed does not list ${OTHER} (Not Installed)`);
  await page.selectOption('#lsc_status', '');
  await page.selectOption('#operation_status', 'Upgrade Success');
  await submit('#search button[type=submit]');
  check(await page.locator('tr[data-device]').count() === 1
    && await page.locator(`tr[data-device="${PHONE}"]`).count() === 1,
  'Certificate Operation Status = Upgrade Success lists only that phone');

  // ---- The CAPF report and its CSV.
  await page.goto(`${base}/report`);
  check((await text('#summary')).startsWith('2 devices: 1 Installed, 1 Not Installed'),
    'the report\'s summary counts the phones', await text('#summary'));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
  check(download.suggestedFilename() === 'capf-report.csv', 'Download CSV saves capf-report.csv',
    download.suggestedFilename());
  const csv = fs.readFileSync(await download.path(), 'utf8');
  const lines = csv.split(/\r?\n/);
  check(lines[0].startsWith('name,lsc_status,operation,operation_status'), 'the CSV has the report\'s header',
    lines[0]);
  const row = lines.find((l) => l.startsWith(`${PHONE},`)) || '';
  check(row.startsWith(`${PHONE},Installed,`) && row.includes('Upgrade Success'),
    'the CSV row of the phone says Installed, Upgrade Success', row);
  fs.writeFileSync(path.join(artifacts, 'capf-report.csv'), csv);

  // ---- Bulk import: a file upload (a multipart form, whose CSRF token travels among the parts).
  await page.goto(`${base}/import`);
  await page.setInputFiles('#file', {
    name: 'phones.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(`name,operation,auth\n${IMPORTED},install,null-string\n`),
  });
  await submit('#import');
  check(pathOf() === '/devices' && (await text('#flash')).includes('Imported 1 phone, 1 with an operation scheduled'),
    'an uploaded CSV file imports its phones');
  await page.goto(`${base}/import`);
  await page.fill('#csv', `name,auth_string\n${OTHER},12ab\nSEP0011223344DD,,\nnot-a-phone,\n`);
  response = await submit('#import');
  const problems = await text('#form-error');
  check(response.status() === 400 && problems.includes('Nothing imported') && problems.includes('line 2:')
    && problems.includes('line 4:'),
  'a bad CSV lists every problem line and imports nothing', problems);

  // ---- Forms without their CSRF token are refused, and change nothing.
  await page.goto(`${base}/devices/${OTHER}`);
  await page.evaluate(() => document.querySelector('#capf-form input[name=csrf]').remove());
  await page.selectOption('#operation', 'install');
  response = await submit('#save');
  check(response.status() === 403 && (await text('main')).includes('security token (CSRF)'),
    'a form whose CSRF field was removed is refused with 403', `${response.status()}`);
  await page.goto(`${base}/devices/${OTHER}`);
  check((await text('#operation-status')) === 'None' && await page.inputValue('#operation') === 'none',
    'the refused form changed nothing');
  const forged = await context.request.post(`${base}/devices`, {
    form: { name: 'SEP0011223344BB' }, maxRedirects: 0,
  });
  check(forged.status() === 403, 'a POST with the session cookie but no CSRF token is refused (403)',
    `${forged.status()}`);
  const after = await context.request.get(`${base}/devices/SEP0011223344BB`, { maxRedirects: 0 });
  check(after.status() === 404, 'and the phone it tried to add does not exist', `${after.status()}`);

  // ---- The dashboard after all this.
  await page.goto(`${base}/`);
  check((await text('#count-installed .count')) === '1' && (await text('#count-pending .count')) === '0'
    && (await text('#count-not-installed .count')) === '2',
  'the dashboard counts 1 Installed, 2 Not Installed');
  await page.screenshot({ path: path.join(artifacts, 'dashboard.png'), fullPage: true });
  pass('dashboard.png saved');

  const refused = browserErrors.filter((e) => !e.includes('status of 40'));
  check(refused.length === 0, 'no script errors or Content-Security-Policy violations in the browser',
    refused.join('\n'));
}

let failed = 0;
try {
  await run();
} catch (error) {
  failed = 1;
  console.log(`FAIL: ${error instanceof CheckFailed ? error.message : error.stack}`);
  console.log(`     (on ${page.url()}; screenshot ${path.join(artifacts, 'failure.png')})`);
  await page.screenshot({ path: path.join(artifacts, 'failure.png'), fullPage: true }).catch(() => {});
} finally {
  await browser.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

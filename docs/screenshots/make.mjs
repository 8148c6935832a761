// Screenshots of the portal (docs/screenshots/*.png) with headless Chromium over the DevTools
// protocol. Start `foi serve` over the demo district (README "Try it"), issue a document on one of
// 张三's cases, then:
//   node --experimental-websocket docs/screenshots/make.mjs http://127.0.0.1:8080 docs/screenshots zhangsan demo-password
// Needs `chromium` and a CJK font (Debian: fonts-wqy-microhei). A later issue moves this into the
// WebDriver browser test, so that they never go stale.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
const [base, out, login, password] = process.argv.slice(2);
const sleep = ms => new Promise(r => setTimeout(r, ms));
const chrome = spawn('chromium', ['--headless=new', '--no-sandbox', '--disable-gpu', '--hide-scrollbars',
  '--remote-debugging-port=9333', '--user-data-dir=' + fs.mkdtempSync('/tmp/foi-shots-') + '', 'about:blank'], { stdio: 'ignore' });
let targets;
for (let i = 0; i < 50; i++) { try { targets = await (await fetch('http://127.0.0.1:9333/json/list')).json(); break; } catch { await sleep(200); } }
const ws = new WebSocket(targets.find(t => t.type === 'page').webSocketDebuggerUrl);
let id = 0; const pending = new Map();
ws.onmessage = e => { const m = JSON.parse(e.data); if (m.id && pending.has(m.id)) { pending.get(m.id)(m); pending.delete(m.id); } };
await new Promise(r => ws.onopen = r);
const send = (method, params = {}) => new Promise(r => { const i = ++id; pending.set(i, r); ws.send(JSON.stringify({ id: i, method, params })); });
const evaluate = async expr => (await send('Runtime.evaluate', { expression: expr, returnByValue: true })).result?.result?.value;
async function settle() { await sleep(300); for (let i = 0; i < 50; i++) { if (await evaluate('document.readyState') === 'complete') break; await sleep(100); } await sleep(300); }
async function size(w, h) { await send('Emulation.setDeviceMetricsOverride', { width: w, height: h, deviceScaleFactor: 1, mobile: w < 500 }); await sleep(300); }
async function go(path) { await send('Page.navigate', { url: base + path }); await settle(); }
async function shot(name) { const r = await send('Page.captureScreenshot', { format: 'png' }); fs.writeFileSync(`${out}/${name}.png`, Buffer.from(r.result.data, 'base64')); console.log('wrote', name); }
await send('Page.enable');
for (const [w, h, tag] of [[360, 800, '360'], [1280, 900, '1280']]) { await size(w, h); await go('/'); await shot('home-' + tag); }
await size(360, 800); await go('/guide'); await shot('guide-360');
// Not signed in: the form without an account, with one wrong identity number, then the receipt.
await go('/apply');
const guest = (id) => `document.getElementById('agencyCode').selectedIndex=1; document.getElementById('name').value='王五'; document.getElementById('idNumber').value='${id}'; document.getElementById('phone').value='13800138000'; document.getElementById('subject').value='2026年区级部门预算'; document.querySelector('form.stack').submit()`;
await evaluate(guest('110105194912310021')); await settle(); await shot('apply-guest-error-360');
await evaluate(`document.getElementById('idNumber').value='11010519491231002X'; document.querySelector('form.stack').submit()`); await settle(); await shot('receipt-360');
await send('Network.clearBrowserCookies');
await go('/follow'); await shot('follow-360');
await evaluate(`document.getElementById('number').value='20260101000000'; document.getElementById('code').value='wrongcode1'; document.querySelector('form.stack').submit()`); await settle(); await shot('follow-error-360');
await go('/statistics?agency=youxian&year=' + new Date().getFullYear()); await shot('statistics-360');
await size(1280, 900); await go('/statistics?agency=youxian&year=' + new Date().getFullYear()); await shot('statistics-1280');
await size(360, 800);
await go('/signin');
await evaluate(`document.getElementById('login').value=${JSON.stringify(login)}; document.getElementById('password').value=${JSON.stringify(password)}; document.querySelector('form.stack').submit()`);
await settle();
for (const [w, h, tag] of [[360, 800, '360'], [1280, 900, '1280']]) {
  await size(w, h); await go('/apply');
  await evaluate(`document.getElementById('agencyCode').selectedIndex=1; document.getElementById('subject').value=''; document.getElementById('description').value='区财政局汇总的部门预算表'; document.querySelector('form.stack').submit()`);
  await settle(); await shot('apply-error-' + tag);
}
await size(360, 800); await go('/my'); await shot('my-360');
const links = await evaluate(`[...document.querySelectorAll('.case-list li a.title')].map(a => a.getAttribute('href'))`);
let href = links[0];
for (const l of links) {
  await go(l);
  const closed = await evaluate(`document.querySelectorAll('details.document').length`);
  const unopened = await evaluate(`document.querySelectorAll('form[action$="/open"]').length`);
  if (closed + unopened > 0) {
    href = l;
    if (unopened > 0 && closed === 0) { await evaluate(`document.querySelector('form[action$="/open"]').submit()`); await settle(); }
    break;
  }
}
console.log('case', href);
for (const [w, h, tag] of [[360, 800, '360'], [1280, 900, '1280']]) { await size(w, h); await go(href); await shot('case-' + tag); }
// A case where the applicant has something to do (a correction form), and the withdrawal's confirmation.
await size(360, 800);
for (const l of links) {
  await go(l);
  if (await evaluate(`!!document.getElementById('correction-text')`)) {
    await evaluate(`document.getElementById('actions').scrollIntoView()`); await sleep(300); await shot('case-actions-360');
    break;
  }
}
for (const l of links) {
  await go(l);
  if (await evaluate(`!!document.querySelector('a[href$="/withdraw"]')`)) { await go(l + '/withdraw'); await shot('withdraw-360'); break; }
}
await size(360, 800); await go(href); console.log('docs', await evaluate(`(() => { const d=[...document.querySelectorAll('details.document')].pop(); if (!d) return 'none'; d.open = true; window.scrollTo(0, d.getBoundingClientRect().top + window.scrollY - 8); return window.scrollY; })()`)); await sleep(500); await shot('case-document-360');
await send('Emulation.setDeviceMetricsOverride', { width: 360, height: 800, deviceScaleFactor: 1, mobile: true });
await go('/text-size?size=large&back=/'); await shot('home-large-360');
await go('/text-size?size=normal&back=/');
ws.close(); chrome.kill();
process.exit(0);

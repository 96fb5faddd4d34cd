// scratch: viewport screenshots down a page
import puppeteer from 'puppeteer-core';
const [file, prefix, width, scheme] = process.argv.slice(2);
const browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
const page = await browser.newPage();
const w = Number(width);
await page.setViewport({ width: w, height: w > 800 ? 900 : 844 });
await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
await page.goto(`file://${file}`, { waitUntil: 'load' });
const h = await page.evaluate(() => document.documentElement.scrollHeight);
let i = 0;
for (let y = 0; y < h; y += w > 800 ? 850 : 800) {
  await page.evaluate((y) => window.scrollTo(0, y), y);
  await page.screenshot({ path: `/tmp/shots/${prefix}-${w}-${scheme}-${String(i++).padStart(2, '0')}.png` });
}
console.log(h, i);
await browser.close();

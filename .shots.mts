// scratch: screenshots of a report.html at 1440 and 390 px, light and dark
import puppeteer from 'puppeteer-core';
const [file, prefix] = process.argv.slice(2);
const browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
for (const [w, h] of [[1440, 900], [390, 844]] as const) {
  for (const dark of [false, true]) {
    const page = await browser.newPage();
    await page.setViewport({ width: w, height: h, deviceScaleFactor: 1 });
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: dark ? 'dark' : 'light' }]);
    await page.goto(`file://${file}`, { waitUntil: 'load' });
    const name = `${prefix}-${w}-${dark ? 'dark' : 'light'}`;
    await page.screenshot({ path: `/tmp/shots/${name}.png` });
    await page.screenshot({ path: `/tmp/shots/${name}-full.png`, fullPage: true });
    if (process.env.SCROLL) { await page.evaluate((y) => window.scrollTo(0, Number(y)), process.env.SCROLL); await page.screenshot({ path: `/tmp/shots/${name}-scroll.png` }); }
    await page.close();
  }
}
await browser.close();

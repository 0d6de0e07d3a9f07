import { it } from 'vitest';
import { startSite } from './chromium.js';
it('lt', async () => {
  const site = await startSite('/tmp/ltsite');
  const page = await site.browser.newPage();
  await page.goto(site.base + '#net=' + encodeURIComponent('{"steps":1}'));
  await page.waitForSelector('#words-panel[data-ready="true"]', { timeout: 30000 });
  await page.waitForSelector('#race-panel[data-done="true"]');
  await page.evaluate(() => {
    const w = window as any; w.lt = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) w.lt.push([Math.round(e.startTime), Math.round(e.duration)]); }).observe({ type: 'longtask' });
  });
  const mark = (n: string) => page.evaluate((n) => performance.mark('T-' + n), n);
  await mark('tsne'); await page.selectOption('#words-method', 'tsne');
  await page.waitForSelector('#words-panel[data-map="tsne"]', { timeout: 180000 });
  await mark('tsne-done');
  await page.waitForTimeout(500);
  await mark('race'); await page.fill('#race-steps', '3000'); await page.dispatchEvent('#race-steps', 'change');
  await page.waitForSelector('#race-panel[data-done="true"]', { timeout: 60000 });
  await mark('race-done');
  await page.waitForTimeout(500);
  await mark('net'); await page.fill('#net-steps', '600'); await page.click('#net-train');
  await page.waitForSelector('#net-panel[data-done="true"]', { timeout: 120000 });
  await mark('net-done');
  console.log(await page.evaluate(() => JSON.stringify({ lt: (window as any).lt, measures: Object.entries(performance.getEntriesByType('measure').reduce((a: any, m) => { (a[m.name] ??= []).push(Math.round(m.duration)); return a; }, {})).map(([k, v]: any) => [k, Math.max(...v), v.length, v.reduce((x: number, y: number) => x + y, 0) / v.length]), marks: performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)]) })));
  await site.close();
}, 300000);

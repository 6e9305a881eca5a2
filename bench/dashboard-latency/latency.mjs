// The logs tab's latency: from the time the engine stamped a container's log line (json-file "time") to the moment
// the line appears in the browser's DOM, for lines written by a container that prints "tick N" every 50 ms.
// Usage: node latency.mjs BASE_URL PASSWORD CONTAINER_ID SAMPLES
import { chromium } from 'playwright-core';

const [baseUrl, password, containerId, samplesArg] = process.argv.slice(2);
const samples = Number(samplesArg ?? 300);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
try {
  const page = await browser.newPage({ baseURL: baseUrl, viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(60_000);
  await page.goto(`/ui/containers/${containerId}`);
  await page.fill('#username', 'admin');
  await page.fill('#password', password);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=circuit-ready]', { state: 'attached' });
  await page.getByRole('tab', { name: 'Logs' }).click();
  await page.locator('[data-testid=log-timestamps]').click();
  await page.locator('.log-time').first().waitFor();

  // First sight of each line, against the time the engine wrote into the log (shown with millisecond precision).
  const latencies = await page.evaluate(async (wanted) => {
    const seen = new Set();
    const result = [];
    const view = document.querySelector('[data-testid=log-view]');
    const look = () => {
      const now = Date.now();
      for (const line of view.querySelectorAll('[data-testid=log-line]')) {
        const time = line.querySelector('.log-time');
        if (!time) continue;
        const text = line.textContent;
        if (seen.has(text)) continue;
        seen.add(text);
        result.push(now - Date.parse(time.textContent.trim()));
      }
    };
    look();
    result.length = 0;   // lines already on the page when the observer started are not measured
    return await new Promise(resolve => {
      new MutationObserver(() => {
        look();
        if (result.length >= wanted) resolve(result);
      }).observe(view, { childList: true, subtree: true, characterData: true });
    });
  }, samples);

  latencies.sort((a, b) => a - b);
  const at = q => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  console.log(`samples ${latencies.length}  median ${at(0.5)} ms  p90 ${at(0.9)} ms  p99 ${at(0.99)} ms  max ${latencies[latencies.length - 1]} ms`);
} finally {
  await browser.close();
}

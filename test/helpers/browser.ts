/**
 * Headless Chromium for tests that look at a page as a person does (the Temporal Web UI), driven
 * by puppeteer-core with the provisioned Debian `chromium` (scripts/debian-tools.ts). Puppeteer's
 * own browser download is never used: a missing browser fails with the provisioning fix.
 */
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { requireTool } from '../../scripts/debian-tools';

export async function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: requireTool('chromium'),
    headless: true,
    // Tests run as root in CI containers, where Chromium's sandbox refuses to start; /dev/shm is
    // small in containers; there is no GPU.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

/**
 * The page's visible text (what a person reads), not its markup, frames included: the Web UI
 * renders workflow markdown (summary, details, current details) inside sandboxed iframes, which
 * the page's own `innerText` does not reach.
 */
export async function visibleText(page: Page): Promise<string> {
  const texts = await Promise.all(
    page.frames().map((frame) => frame.evaluate(() => document.body?.innerText ?? '').catch(() => '')),
  );
  return texts.join('\n');
}

/**
 * Waits until the visible text contains every one of `texts`. Pages that poll the server (the Web
 * UI refreshes its views itself) fill in after load, so load events alone say nothing. The error
 * names what was missing and shows the start of what was there.
 */
export async function waitForTexts(page: Page, texts: string[], timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await visibleText(page);
    const missing = texts.filter((wanted) => !text.includes(wanted));
    if (missing.length === 0) return text;
    if (Date.now() > deadline)
      throw new Error(
        `${page.url()}: after ${timeoutMs / 1000}s the page does not show ${missing.map((m) => JSON.stringify(m)).join(', ')}; it shows:\n${text.slice(0, 2_000)}`,
      );
    await new Promise((done) => setTimeout(done, 250));
  }
}

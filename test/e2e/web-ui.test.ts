import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'puppeteer-core';
import { launchBrowser, visibleText, waitForTexts } from '../helpers/browser';
import { type Engine, startEngine } from '../helpers/engine-processes';

/**
 * The Web UI as the operator sees it: the dev server with its Web UI, the worker and the API as
 * processes (as `npm start` runs them), one incident opened through the webhook, and headless
 * Chromium reading the pages. It checks what the README promises: the list filtered by the
 * IncidentSeverity search attribute, and on the incident's page the summary, the current details
 * and the named timers. Screenshots of each page are kept in a temp folder, printed at the end.
 */
describe('the Temporal Web UI shows the incident as the README says', () => {
  let root: string;
  let shots: string;
  let engine: Engine;
  let browser: Browser;
  let page: Page;
  let ui: string;
  let workflowId: string;
  let incidentId: string;
  const summary = 'Widget build fails (Web UI check)';

  before(async () => {
    // First, so a machine without Chromium fails here with the provisioning fix, before any start.
    browser = await launchBrowser();
    root = await mkdtemp(join(tmpdir(), 'incident-web-ui-'));
    shots = join(root, 'screenshots');
    await mkdir(shots);
    await mkdir(join(root, 'engine'));
    engine = await startEngine(join(root, 'engine'), { incidentsDir: join(root, 'incidents') });
    ui = `http://127.0.0.1:${engine.env.TEMPORAL_UI_PORT}`;
    const opened = await engine.post('/webhooks/generic', {
      dedup_key: 'web-ui-check',
      severity: 'SEV-3',
      summary,
      source: 'ci',
      service: 'widgets',
    });
    assert.equal(opened.status, 202, await opened.clone().text());
    ({ workflowId, incidentId } = (await opened.json()) as { workflowId: string; incidentId: string });
    page = await browser.newPage();
    await page.setViewport({ width: 1600, height: 1200 });
  });
  after(async () => {
    await browser?.close();
    await engine?.close();
    // The screenshots stay for a person to look at; the engine's files go.
    if (root) await rm(join(root, 'engine'), { recursive: true, force: true });
    if (shots) console.log(`Web UI screenshots: ${shots}`);
  });

  const shoot = async (name: string) => {
    const path = join(shots, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    console.log(`screenshot: ${path}`);
  };

  /** The workflow list for a visibility query, as the UI's own filter bar writes it into the URL. */
  const listUrl = (query: string) => `${ui}/namespaces/default/workflows?query=${encodeURIComponent(query)}`;

  /** Opens `url` until the page shows `texts`: the list is read from visibility, which lags a start. */
  const openUntil = async (url: string, texts: string[], ms = 60_000): Promise<string> => {
    const deadline = Date.now() + ms;
    for (;;) {
      await page.goto(url, { waitUntil: 'domcontentloaded' });
      try {
        return await waitForTexts(page, texts, Math.min(10_000, Math.max(1_000, deadline - Date.now())));
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
    }
  };

  it('lists the incident under IncidentSeverity = "SEV-3", and not under SEV-1', async () => {
    const query = 'IncidentSeverity="SEV-3"';
    const text = await openUntil(listUrl(query), [workflowId, 'incidentWorkflow']);
    // The UI keeps the query as given (URL-encoded `query` parameter) and shows it as the filter.
    assert.equal(new URL(page.url()).searchParams.get('query'), query);
    assert.match(text, /IncidentSeverity = "SEV-3"/);
    assert.match(text, /RUNNING/);
    await shoot('list-severity-sev3');

    await page.goto(listUrl('IncidentSeverity="SEV-1"'), { waitUntil: 'domcontentloaded' });
    await waitForTexts(page, ['IncidentSeverity = "SEV-1"']);
    // Give the list its round trip before reading an absence.
    await new Promise((done) => setTimeout(done, 3_000));
    assert.doesNotMatch(await visibleText(page), new RegExp(workflowId), 'the filter is applied');
  });

  it("filters with the README's own query (single quotes, AND on IncidentStage)", async () => {
    await openUntil(listUrl("IncidentSeverity = 'SEV-3' AND IncidentStage = 'detection'"), [workflowId]);
  });

  it('shows the summary and the current details (User Metadata tab)', async () => {
    // The bare workflow URL redirects to the latest run's page; its tabs hang off that run URL.
    await page.goto(`${ui}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`, {
      waitUntil: 'domcontentloaded',
    });
    await page.waitForFunction(() => /\/workflows\/[^/]+\/[0-9a-f-]{36}\//.test(location.pathname), {
      timeout: 30_000,
    });
    const run = page.url().replace(/\/[a-z-]+([?#].*)?$/, '');
    // Current details come from a query the worker answers (setCurrentDetails), the summary
    // from the signal-with-start's user metadata.
    const text = await openUntil(`${run}/user-metadata`, [
      'Summary',
      `SEV-3 ${summary}`,
      'Current Details',
      `${incidentId} · SEV-3 · stage detection`,
      `Wait for acknowledgement of ${incidentId}`,
      'Services: widgets',
      'not acknowledged',
      'Deadlines (UTC):',
    ]);
    // Static details: the engine sets none (the summary and the live details carry everything),
    // and this UI version says so in the Details panel.
    assert.match(text, /Details\s+No details available/);
    await shoot('workflow-user-metadata');

    await openUntil(`${run}/search-attributes`, ['IncidentSeverity', 'SEV-3', 'IncidentStage', 'detection']);
    await shoot('workflow-search-attributes');
  });

  it('names the timers and activities (Timeline and Event History)', async () => {
    await page.goto(`${ui}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`, {
      waitUntil: 'domcontentloaded',
    });
    await page.waitForFunction(() => location.pathname.endsWith('/timeline'), { timeout: 30_000 });
    const run = page.url().replace(/\/timeline([?#].*)?$/, '');
    await waitForTexts(page, [
      `Wait for acknowledgement of ${incidentId}`,
      // No 'Next status update at' timer: a SEV-3 gets no status updates and sets none (patch
      // status-updates-quiet-severities).
      // Detection's first steps are local activities (patch detection-local-activities): the
      // timeline names them from their markers, without the summary a normal activity shows.
      'loadPolicy',
      'writeIncidentNote',
    ]);
    await shoot('workflow-timeline');

    const history = await openUntil(`${run}/history`, [
      'Timer Started',
      `Wait for acknowledgement of ${incidentId}`,
    ]);
    assert.match(history, /Timer Started[\s\S]*Summary\s+Wait for acknowledgement of/);
    await shoot('workflow-history');
  });
});

// Retakes the README's dashboard screenshots (docs/tour/*.png) on a running lab, in headless Chromium through
// Playwright: the resources page once every resource is healthy, the ordering pipeline's commands, the ordered burst's
// dialog, the burst running, the sequencer leader killed mid-burst, the burst's log, a message's trace, the metrics
// pages, and the lab healthy again after the crashed replica is started.
// Run by `./queuelab tour`, which starts a lab of its own and stops it afterwards:
//   node tools/tour/tour.mjs --url <dashboard login URL> --out docs/tour [--messages N]
// Every wait polls the page with a deadline; a step that does not find what it waits for fails the tour with a
// screenshot of where it stood (<out>/failed-<step>.png, ignored by git).
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const args = {};
for (let i = 2; i < process.argv.length; i += 2) {
  args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
}
if (!args.url || !args.out) {
  console.error('usage: node tour.mjs --url <dashboard login URL> --out <folder> [--messages N] [--chromium /usr/bin/chromium]');
  process.exit(2);
}

const out = args.out;
mkdirSync(out, { recursive: true });
const base = new URL(args.url).origin;
const say = text => console.log(`tour: ${text}`);

// Flags for a machine without a display or an open network: no sandbox as root, no GPU, no background connections.
const browser = await chromium.launch({
  executablePath: args.chromium ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1600, height: 1000 }, colorScheme: 'light' });
let step = 'login';

/** Polls <check> (async, truthy when done) until it holds or <seconds> pass. */
async function until(what, check, seconds = 120, every = 500) {
  const deadline = Date.now() + seconds * 1000;
  let last;
  for (;;) {
    try {
      const result = await check();
      if (result) {
        return result;
      }
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${seconds} s waiting for ${what}${last ? ` (last error: ${last.message})` : ''}`);
    }
    await page.waitForTimeout(every);
  }
}

async function shot(name, what) {
  await page.waitForTimeout(500); // not a wait for a condition: lets the grid's last update and animations settle
  await page.screenshot({ path: join(out, `${name}.png`) });
  say(`${name}.png: ${what}`);
}

/** The resources grid's rows: name and state, as the page shows them. */
async function resourceRows() {
  return page.$$eval('[role="row"]', rows => rows.map(row => {
    const cells = [...row.querySelectorAll('[role="gridcell"]')].map(c => c.textContent.trim().replace(/\s+/g, ' '));
    // The state cell may end with the count of error logs (a red badge).
    return { name: cells[0] ?? '', state: (cells[1] ?? '').replace(/ \d+$/, '') };
  }).filter(r => r.name));
}

/** Running (not unhealthy), or a pipeline's Idle / run state. */
const settled = state => state === 'Running' || state === 'Idle' || / running$/.test(state);

async function healthy(expected) {
  const rows = await resourceRows();
  return rows.length >= expected && rows.every(r => settled(r.state)) ? rows : null;
}

async function openResources() {
  await page.goto(`${base}/`);
  await until('the resources grid, every row', async () => (await resourceRows()).length >= 10, 60);
}

/** The grid row of resource <name> (its first cell reads exactly the name). */
async function rowOf(name) {
  const index = await page.$$eval('[role="row"]', (rows, wanted) =>
    rows.findIndex(row => row.querySelector('[role="gridcell"]')?.textContent.trim() === wanted), name);
  if (index < 0) {
    throw new Error(`no row for resource '${name}'`);
  }
  return page.locator('[role="row"]').nth(index);
}

/** Opens the ⋯ (Actions) menu of resource <name>, and its Commands submenu. */
async function openCommands(name) {
  await (await rowOf(name)).locator('fluent-button[title="Actions"]').first().click();
  const commands = page.getByRole('menuitem', { name: 'Commands' }).filter({ visible: true }).first();
  await until('the Commands entry of the menu', () => commands.isVisible(), 30);
  await commands.hover();
  await commands.click();
}

async function stateOf(name) {
  return (await resourceRows()).find(r => r.name === name)?.state ?? '';
}

try {
  await page.goto(args.url);
  await openResources();

  // A dialog left open by an earlier client of this dashboard (an interaction waits on the server) would cover the page.
  for (const cancel of await page.locator('fluent-button:visible', { hasText: /^\s*Cancel\s*$/ }).all()) {
    await cancel.click();
  }

  step = 'healthy';
  say('waiting until every resource is running and healthy');
  const rows = await until('every resource running and healthy', () => healthy(10), 600, 2000);
  say(`${rows.length} resources: ${rows.map(r => `${r.name} ${r.state}`).join(', ')}`);
  await shot('resources', 'the resources page, every resource running and healthy');

  step = 'menu';
  await openCommands('ordering');
  await until('the ordering commands', () => page.getByRole('menuitem', { name: 'Crash the sequencer leader', exact: true }).filter({ visible: true }).last().isVisible(), 30);
  await shot('commands-menu', "the ordering pipeline's commands");
  await page.keyboard.press('Escape');

  step = 'burst-dialog';
  await (await rowOf('ordering')).locator('fluent-button[title^="Pushes N messages"]').first().click();
  const input = page.getByRole('textbox', { name: /How many messages/ });
  await until("the burst's dialog", () => input.isVisible(), 30);
  if (args.messages) {
    await input.fill(String(args.messages));
  }
  await shot('burst-dialog', "the ordered burst's dialog");
  await page.locator('fluent-button:visible', { hasText: /^\s*Ordered burst\s*$/ }).last().click();

  step = 'burst-running';
  await until('the ordering pipeline to say its burst runs', async () => /running$/.test(await stateOf('ordering')), 60);
  await shot('burst-running', 'the ordering pipeline while its burst runs');

  step = 'crash';
  await page.waitForTimeout(5000); // not a wait for a condition: the burst is some seconds in when the leader dies
  await openCommands('ordering');
  const crash = page.getByRole('menuitem', { name: 'Crash the sequencer leader', exact: true }).filter({ visible: true }).last();
  await until('the crash command', () => crash.isVisible(), 30);
  await crash.click();
  await until('a sequencer replica down', async () =>
    (await resourceRows()).some(r => r.name.startsWith('sequencer-') && r.state !== 'Running'), 30, 200);
  await shot('crash-leader', 'the sequencer leader killed mid-burst; the standby leads, the burst goes on');

  step = 'burst-done';
  await until('the burst to end', async () => (await stateOf('ordering')) === 'Idle', 900, 2000);

  step = 'burst-log';
  await page.goto(`${base}/consolelogs/resource/ordering`);
  const summary = page.getByText(/ordered-burst (passed|FAILED|could not complete) in/).last();
  await until("the burst's headline in the console log", () => summary.isVisible(), 60);
  await summary.scrollIntoViewIfNeeded();
  await shot('burst-log', "the ordering console log: the burst's summary and its report's path");

  step = 'traces';
  await page.goto(`${base}/traces`);
  const first = page.getByText(/process \d+/).first();
  await until('a message trace on the traces page', () => first.isVisible(), 60);
  await shot('traces', 'the traces page: one trace per message, with spans from a processor, Redis and the sequencer');
  await first.click();
  await until('the trace detail', () => page.url().includes('/traces/detail/'), 30);
  await until('the sequencer span of the trace', () => page.getByText(/^sequencer-/).first().isVisible(), 30);
  await shot('trace', "one message's trace: processor, then sequencer");

  step = 'metrics';
  await openResources();
  const leader = (await resourceRows()).find(r => r.name.startsWith('sequencer-') && r.state === 'Running');
  await page.goto(`${base}/metrics/resource/${leader.name}?meter=QueueLab.Sequencer&instrument=queuelab.ordering.output.lag&duration=5`);
  await until('the output lag chart', () => page.getByText('queuelab.ordering.output.lag').first().isVisible(), 60);
  await shot('metrics-backlog', "the ordering pipeline's output lag (sequencer leader) over the burst and the crash");
  await page.goto(`${base}/metrics/resource/loadtests?meter=QueueLab.LoadRunner&instrument=queuelab.loadrunner.latency&duration=5`);
  await until("the load runner's metrics", () => page.getByText('queuelab.loadrunner.latency').first().isVisible(), 60);
  await shot('metrics-loadtests', "the load runner's metrics on the dashboard");

  step = 'recovered';
  await openResources();
  // A killed replica stays down until started (the lab carries on without it, as after a real crash): start it.
  const crashed = await until('the killed sequencer replica', async () =>
    (await resourceRows()).find(r => r.name.startsWith('sequencer-') && r.state !== 'Running'), 30);
  say(`starting ${crashed.name} again (${crashed.state})`);
  await (await rowOf(crashed.name)).locator('fluent-button[title="Start resource"]').first().click();
  await until('every resource running and healthy again', () => healthy(10), 300, 2000);
  await shot('recovered', 'after the burst and the crash: every resource running and healthy again');
  say('done');
} catch (error) {
  await page.screenshot({ path: join(out, `failed-${step}.png`) }).catch(() => {});
  console.error(`tour: step '${step}' failed: ${error.message} (screenshot: ${join(out, `failed-${step}.png`)})`);
  process.exitCode = 1;
} finally {
  await browser.close();
}

/**
 * The KPI dashboard with money in more than one currency, in a real headless Chromium: money is
 * never converted, so each currency the period saw gets its own section and charts. The figures
 * come from the reporting store alone, so the projects are published into the harness's store
 * as the workflows would publish them (no worker runs). An invoice past due for less than a day
 * says so, not "0 days overdue". On a phone the charts' text stays as large as on a desk. A sales
 * target typed with a comma as the decimal mark is stored as that decimal; one that is not an
 * amount is refused at its field. The money tile, the weekly chart and the chart by manager say
 * the same net invoiced and net paid, with a voided prepayment, a credit note and its refund in
 * the period; the sales plan says its fulfilment is net paid against the target, in those words.
 */
import type { KpiReport } from '../../api/schemas';
import { ProjectBuilder, plusDays } from '../reporting/builders';
import { startApiHarness, type ApiHarness } from '../support/api';
import { accessibilityProblems, browserTestOrSkip, DESKTOP, PHONE, SCREENSHOT_DIR, startPortal, unexpectedErrors, type PersonPage, type Portal } from '../support/browser';

jest.setTimeout(180_000);
const step = browserTestOrSkip('the KPI dashboard in several currencies');

/** In the page: its reader's today and the day 90 before, as a date field holds them ("2026-12-04"). */
const READERS_DEFAULT_PERIOD = `(() => {
  const day = (d) => [d.getFullYear(), d.getMonth() + 1, d.getDate()].map((n) => String(n).padStart(2, '0')).join('-');
  const from = new Date();
  from.setDate(from.getDate() - 90);
  return [day(from), day(new Date())];
})()`;

let h: ApiHarness;
let portal: Portal;
let leader: PersonPage;
let planner: PersonPage;

beforeAll(async () => {
  h = await startApiHarness({ withoutWorker: true });
  const day = 86_400_000;
  const lastWeek = new Date(Date.now() - 7 * day).toISOString();
  const yesterday = new Date(Date.now() - day).toISOString();
  const paidProject = (projectId: string, currency: string, amount: number) =>
    new ProjectBuilder({ projectId, managerId: h.people.manager.id, client: { id: `client-${projectId}`, name: `Client ${currency}`, segment: 'B2B' }, intakeAt: lastWeek, currency })
      .invoice('final', `INV-${projectId}`, amount, lastWeek, plusDays(lastWeek, 14))
      .pay(`INV-${projectId}`, amount, yesterday, `bank ${projectId}`);
  // Unpaid invoices of another manager's project, past due by hours, by a day and a bit, by two and a half days.
  const hour = 3_600_000;
  const pastDue = (ms: number) => new Date(Date.now() - ms).toISOString();
  const unpaid = (projectId: string) =>
    new ProjectBuilder({ projectId, managerId: h.people.otherManager.id, client: { id: 'client-late', name: 'Late Payer', segment: 'B2B' }, intakeAt: lastWeek });
  const late = [
    unpaid('p-kpi-late').invoice('prepayment', 'INV-LATE-HOURS', 100, lastWeek, pastDue(3 * hour)).invoice('final', 'INV-LATE-DAYS', 300, lastWeek, pastDue(60 * hour)),
    unpaid('p-kpi-late-2').invoice('final', 'INV-LATE-DAY', 200, lastWeek, pastDue(30 * hour)),
    // Owed in all: €13,000.00, a figure as wide as a tile's.
    unpaid('p-kpi-late-3').invoice('final', 'INV-LATE-BIG', 12_400, lastWeek, pastDue(30 * hour)),
  ];
  // A first plan half a minute after the request: "under a minute", written after its bar.
  const quick = new ProjectBuilder({ projectId: 'p-kpi-quick', managerId: h.people.manager.id, client: { id: 'client-quick', name: 'Quick', segment: 'B2C' }, intakeAt: lastWeek }).submitPlan(
    new Date(Date.parse(lastWeek) + 30_000).toISOString(),
    [{ key: 'design', department: 'design', dueAt: plusDays(lastWeek, 30) }],
  );
  // First plans 10 to 14 seconds after the request (0.00 h in the report's two decimals) from
  // another manager, and one 25 minutes after from a third: the median of all five is under a
  // minute too, and must not read "0 min".
  const planAfter = (projectId: string, managerId: string, ms: number) =>
    new ProjectBuilder({ projectId, managerId, client: { id: `client-${projectId}`, name: `Client ${projectId}`, segment: 'B2C' }, intakeAt: lastWeek }).submitPlan(
      new Date(Date.parse(lastWeek) + ms).toISOString(),
      [{ key: 'design', department: 'design', dueAt: plusDays(lastWeek, 30) }],
    );
  const quicker = [10_000, 12_000, 14_000].map((ms, i) => planAfter(`p-kpi-quicker-${i}`, h.people.otherManager.id, ms));
  const slower = planAfter('p-kpi-slower', h.people.reportManager.id, 25 * 60_000);
  // A third manager's money taken back: a prepayment voided when its project was cancelled two
  // days ago, and a paid invoice with a credit note refunded yesterday. Nothing of it is owed, so
  // the €13,000.00 owed stays.
  const twoDaysAgo = new Date(Date.now() - 2 * day).toISOString();
  const threeDaysAgo = new Date(Date.now() - 3 * day).toISOString();
  const takenBack = (projectId: string) =>
    new ProjectBuilder({ projectId, managerId: h.people.reportManager.id, client: { id: `client-${projectId}`, name: 'Changed Mind', segment: 'B2C' }, intakeAt: lastWeek });
  const voided = takenBack('p-kpi-voided').invoice('prepayment', 'INV-VOIDED', 500, lastWeek, plusDays(lastWeek, 14), { status: 'open' }).cancel(twoDaysAgo).voidInvoice('INV-VOIDED');
  const credited = takenBack('p-kpi-credited')
    .invoice('final', 'INV-CREDITED', 800, lastWeek, plusDays(lastWeek, 14), { status: 'open' })
    .pay('INV-CREDITED', 800, yesterday, 'bank credited')
    .invoice('credit_note', 'CN-CREDITED', 150, threeDaysAgo, plusDays(threeDaysAgo, 14), { status: 'open' })
    .pay('CN-CREDITED', 150, yesterday, 'refund credited');
  // A compensation agreed half a year ago and never paid out: owed back to the client now, though
  // issued before every period shown here (so none of their flows changes).
  const longAgo = new Date(Date.now() - 200 * day).toISOString();
  const owedBack = takenBack('p-kpi-owed-back')
    .invoice('final', 'INV-OWED-BACK', 1_000, longAgo, plusDays(longAgo, 14))
    .pay('INV-OWED-BACK', 1_000, longAgo, 'bank owed back')
    .invoice('credit_note', 'CN-OWED-BACK', 250, longAgo, plusDays(longAgo, 14), { status: 'open' });
  for (const p of [paidProject('p-kpi-eur', 'EUR', 1_200), paidProject('p-kpi-usd', 'USD', 900), ...late, quick, ...quicker, slower, voided, credited, owedBack]) {
    for (const snapshot of p.publishAll()) await h.reporting.publish(snapshot);
  }
  portal = await startPortal(h);
});

afterAll(async () => {
  if (leader) expect(unexpectedErrors(leader.errors)).toEqual([]);
  // The refused target was refused at its field: no 400 came back from the API.
  if (planner) expect(unexpectedErrors(planner.errors)).toEqual([]);
  await portal?.close();
  await h?.close();
});

step('each currency has its own money section, with its own figures', async () => {
  leader = await portal.openAs('leadership', { startAt: '/kpis' });
  const { page } = leader;
  await page.getByRole('heading', { name: 'KPIs' }).waitFor();
  const eur = page.locator('#kpi-money');
  const usd = page.locator('#kpi-money-USD');
  await eur.getByRole('heading', { name: 'Money (EUR)' }).waitFor();
  await usd.getByRole('heading', { name: 'Money (USD)' }).waitFor();
  expect(await page.locator('section[id^="kpi-money"]').count()).toBe(2);
  // Each section's per-manager table holds only its own currency's amounts.
  expect(await eur.locator('#chart-money-managers-table').textContent()).toContain('€1,200.00');
  expect(await usd.locator('#chart-money-managers-USD-table').textContent()).toContain('$900.00');
  expect(await usd.locator('#chart-money-managers-USD-table').textContent()).not.toContain('€');
  await portal.screenshot(page, '30-kpis-two-currencies');
  expect(await accessibilityProblems(page)).toEqual([]);
});

step('the money tile, the weekly chart and the chart by manager say the same net invoiced and net paid, and how they are made', async () => {
  // EUR in the period: invoiced 1,200 + 13,000 (unpaid) + 500 (voided) + 800 (credited 150) =
  // 15,500, less 500 voided and 150 credited: 14,850 net; paid 1,200 + 800, less 150 refunded: 1,850.
  const report = (await h.http().get('/api/reports/kpis').set(h.auth('leadership')).expect(200)).body as KpiReport;
  const eur = report.money.totals.find((m) => m.currency === 'EUR')!;
  expect(eur).toMatchObject({ invoiced: 15_500, voided: 500, credited: 150, netInvoiced: 14_850, paid: 2_000, refunded: 150, netPaid: 1_850 });

  const { page } = leader;
  const tile = page.locator('.tiles--wide .tile', { hasText: 'Invoiced, net of voids and credit notes (EUR)' });
  expect(await tile.locator('.tile-value').textContent()).toBe('€14,850.00');
  // Payments less refunds is "net paid" wherever the page says it, as the numbers' column is headed.
  expect(await tile.textContent()).toContain('net paid in the period €1,850.00, after €150.00 refunded');
  // What the agency owes back, beside what clients owe it: the credit note not paid out, whenever it was issued.
  const owedBack = page.locator('.tiles--wide .tile', { hasText: 'Owed back to clients now (EUR)' });
  expect(await owedBack.locator('.tile-value').textContent()).toBe('€250.00');
  expect(await owedBack.textContent()).toContain('refunds on credit notes, not yet paid out');
  // USD owes nothing back: no such tile.
  expect(await page.locator('.tiles--wide .tile', { hasText: 'Owed back to clients now (USD)' }).count()).toBe(0);
  const nets = 'invoiced €15,500.00, less €500.00 voided and €150.00 credited: €14,850.00 net; paid €2,000.00, less €150.00 refunded: €1,850.00 net paid';
  expect(await page.locator('#chart-money-note').textContent()).toBe(`Over the period, ${nets} \u2014 as on the EUR tile above.`);
  expect(await page.locator('#chart-money-managers-note').textContent()).toBe(
    'All managers together: €14,850.00 net invoiced and €1,850.00 net paid, as on the EUR tile; each manager\u2019s under \u201cThe numbers\u201d. Paid counts the payments received in the period for invoices of any date, so it can exceed what was invoiced in it.',
  );
  // The bars are the flows, never below 0; the nets, which can be, are in the numbers beside them.
  for (const chart of ['chart-money', 'chart-money-managers']) {
    expect(await page.locator(`figure:has(#${chart}-title) .legend li`).allTextContents()).toEqual(['Invoiced', 'Voided or credited', 'Paid', 'Refunded']);
    expect(await page.locator(`#${chart}-table thead th`).allTextContents()).toEqual([
      chart === 'chart-money' ? 'Week of' : 'Manager',
      'Invoiced',
      'Voided or credited',
      'Net invoiced',
      'Paid',
      'Refunded',
      'Net paid',
    ]);
  }
  // Nothing taken back in USD: no bars of 0 for it, its columns still in the numbers.
  expect(await page.locator('figure:has(#chart-money-USD-title) .legend li').allTextContents()).toEqual(['Invoiced', 'Paid']);
  expect(await page.locator('#chart-money-USD-table thead th').count()).toBe(7);
  expect(await page.locator('#chart-money-USD-note').textContent()).toBe(
    'Over the period, invoiced US$900.00, nothing voided or credited; paid US$900.00, nothing refunded \u2014 as on the USD tile above.',
  );
  // The third manager invoiced 1,300 and took back 650: 650 net; was paid 800 and refunded 150: 650.
  const third = h.directory.get(h.people.reportManager.id)!.name;
  const row = await page.locator('#chart-money-managers-table tbody tr', { has: page.locator('th', { hasText: third }) }).locator('td').allTextContents();
  expect(row).toEqual(['€1,300.00', '€650.00', '€650.00', '€800.00', '€150.00', '€650.00']);
  // The weeks' numbers add up to the tile's nets.
  const column = async (chart: string, index: number) =>
    (await page.locator(`#${chart}-table tbody tr`).evaluateAll((trs, i) => trs.map((tr) => tr.querySelectorAll('td')[i]?.textContent ?? ''), index)).map((t) =>
      Number(t.replace(/[^\d.-]/g, '')),
    );
  const total = (values: number[]) => Math.round(values.reduce((a, b) => a + b * 100, 0)) / 100;
  expect(total(await column('chart-money', 2))).toBe(14_850);
  expect(total(await column('chart-money', 5))).toBe(1_850);
  expect(total(await column('chart-money-managers', 2))).toBe(14_850);
  expect(total(await column('chart-money-managers', 5))).toBe(1_850);
  await page.locator('#kpi-money').screenshot({ path: `${SCREENSHOT_DIR}/30j-kpis-money-reconciled-desktop.png` });

  const phone = await portal.openAs('leadership', { startAt: '/kpis', viewport: PHONE });
  await phone.page.locator('#chart-money-note').waitFor();
  expect(await phone.page.locator('#chart-money-note').textContent()).toBe(`Over the period, ${nets} \u2014 as on the EUR tile above.`);
  // Four series' legend and the notes stay inside the screen.
  expect(await phone.page.evaluate<number>('document.documentElement.scrollWidth')).toBe(PHONE.width);
  const outside = await phone.page.evaluate(`[...document.querySelectorAll('#kpi-money .legend li, #kpi-money p')]
    .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth).map((e) => e.textContent)`);
  expect(outside).toEqual([]);
  await phone.page.locator('#kpi-money').screenshot({ path: `${SCREENSHOT_DIR}/30k-kpis-money-reconciled-phone.png` });
  await phone.page.locator('.tiles--wide .tile', { hasText: 'Invoiced, net of voids and credit notes (EUR)' }).screenshot({ path: `${SCREENSHOT_DIR}/30m-kpis-money-tile-phone.png` });
  // Seven columns of amounts scroll inside their table, not the page.
  await phone.page.locator('figure:has(#chart-money-managers-title) details summary').click();
  await phone.page.locator('#chart-money-managers-table').waitFor();
  expect(await phone.page.evaluate<number>('document.documentElement.scrollWidth')).toBe(PHONE.width);
  await phone.page.locator('figure:has(#chart-money-managers-title) details').screenshot({ path: `${SCREENSHOT_DIR}/30l-kpis-money-managers-numbers-phone.png` });
  expect(await accessibilityProblems(phone.page)).toEqual([]);
  expect(unexpectedErrors(phone.errors)).toEqual([]);
  await phone.context.close();
});

step('the figures read whole: no number breaks, no chart label is cut, counts are marked in whole numbers, the period in force is in its fields', async () => {
  const { page } = leader;
  await page.locator('.tiles--wide .tile-value', { hasText: '€13,000.00' }).waitFor();
  // Each amount on one line (a wrapped one is two lines high), and every figure inside its tile.
  const wrapped = await page.evaluate(`[...document.querySelectorAll('.tiles--wide .tile-value')]
    .filter((e) => (/\\d/.test(e.textContent) && e.getBoundingClientRect().height > 1.5 * parseFloat(getComputedStyle(e).lineHeight))
      || e.scrollWidth > e.clientWidth || e.getBoundingClientRect().right > e.parentElement.getBoundingClientRect().right).map((e) => e.textContent)`);
  expect(wrapped).toEqual([]);
  // Every label of every chart inside its drawing.
  const cut = await page.evaluate(`[...document.querySelectorAll('svg.chart')].flatMap((svg) => {
    const width = svg.viewBox.baseVal.width;
    return [...svg.querySelectorAll('text')].filter((t) => { const b = t.getBBox(); return b.x < 0 || b.x + b.width > width; }).map((t) => t.textContent);
  })`);
  expect(cut).toEqual([]);
  // Under a minute reads so wherever it is shown, even when the report's hours round it to 0; minutes as minutes.
  const tile = page.locator('.tiles--wide .tile', { hasText: 'Median response time' });
  expect(await tile.locator('.tile-value').textContent()).toBe('under a minute');
  const byManager = await page.locator('#chart-response-managers-table tbody tr').evaluateAll((rows) => rows.map((r) => r.textContent?.trim()));
  expect(byManager).toEqual(
    expect.arrayContaining([
      `${h.directory.get(h.people.manager.id)!.name}under a minute`,
      `${h.directory.get(h.people.otherManager.id)!.name}under a minute`,
      `${h.directory.get(h.people.reportManager.id)!.name}25 min`,
    ]),
  );
  const written = await page.locator('figure:has(#chart-response-managers-title) svg.chart text').allTextContents();
  expect(written.filter((t) => /\b0 min\b/.test(t))).toEqual([]);
  expect(written.filter((t) => t === 'under a minute')).toHaveLength(2);
  expect(await page.locator('#kpi-response').textContent()).not.toMatch(/\b0 min\b/);
  // Counts: the axes of requests, deliveries and ratings mark whole numbers only.
  for (const chart of ['chart-requests', 'chart-delivery', 'chart-ratings']) {
    const ticks = await page.locator(`figure:has(#${chart}-title) svg.chart text[text-anchor="end"]`).allTextContents();
    expect([chart, ticks.filter((t) => !/^\d+$/.test(t))]).toEqual([chart, []]);
  }
  // No dates in the address: the fields show the days the figures are for, the reader's (Berlin's): today and the 90 before.
  expect([await page.locator('#kpi-from').inputValue(), await page.locator('#kpi-to').inputValue()]).toEqual(await page.evaluate(READERS_DEFAULT_PERIOD));
  await portal.screenshot(page, '30c-kpis-figures-whole');

  // A period that ends before it starts: said in the fields' words, at both.
  const backwards = await portal.openAs('leadership', { startAt: '/kpis?from=2026-06-10&to=2026-06-01' });
  await backwards.page.locator('#kpi-from-error').waitFor();
  expect(await backwards.page.locator('#kpi-from-error').textContent()).toBe('must be on or before the Until date');
  expect(await backwards.page.locator('#kpi-to-error').textContent()).toBe('must be on or after the From date');
  await portal.screenshot(backwards.page, '30d-kpis-period-backwards', { fullPage: false });
  await backwards.context.close();
});

step('on a phone the charts’ text is as large as on a desk (12 px, not a drawing scaled down), whole; response time says its unit in its values, not in its caption', async () => {
  const phone = await portal.openAs('leadership', { startAt: '/kpis', viewport: PHONE });
  const { page } = phone;
  await page.locator('#chart-response-managers-title').waitFor();
  // The size each chart's text is shown at: its font size times the drawing's scale on the screen.
  const shownSizes = async () =>
    (await page.evaluate(`[...document.querySelectorAll('svg.chart')].flatMap((svg) => {
      const scale = svg.getScreenCTM().a;
      return [...svg.querySelectorAll('text')].map((t) => Math.round(parseFloat(getComputedStyle(t).fontSize) * scale * 10) / 10);
    })`)) as number[];
  const sizes = await shownSizes();
  expect(sizes.length).toBeGreaterThan(10);
  expect(Math.min(...sizes)).toBeGreaterThanOrEqual(12);
  const cut = await page.evaluate(`[...document.querySelectorAll('svg.chart')].flatMap((svg) => {
    const width = svg.viewBox.baseVal.width;
    return [...svg.querySelectorAll('text')].filter((t) => { const b = t.getBBox(); return b.x < 0 || b.x + b.width > width; }).map((t) => t.textContent);
  })`);
  expect(cut).toEqual([]);
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBe(PHONE.width);
  // Hours shown as "under a minute", "25 min", "3.5 h": the caption and the column claim no unit of their own.
  expect(await page.locator('#chart-response-managers-title').textContent()).toBe('Median response time by manager');
  expect(await page.locator('#chart-response-managers-table thead th').allTextContents()).toEqual(['Manager', 'Median response time']);
  await portal.screenshot(page, '30e-kpis-phone');
  await page.locator('#kpi-response').screenshot({ path: `${SCREENSHOT_DIR}/30f-kpis-phone-response.png` });
  await page.locator('#kpi-money').screenshot({ path: `${SCREENSHOT_DIR}/30g-kpis-phone-money.png` });
  expect(await accessibilityProblems(page)).toEqual([]);
  expect(unexpectedErrors(phone.errors)).toEqual([]);
  await phone.context.close();
});

step('every bar of a weekly chart can be read: a bar in the last week is labelled, none lies beyond the labels, a lone bar has its own, no two labels touch (desk and phone)', async () => {
  // Fourteen weeks, the last one this week's: at a desk every second week has room for a label, on
  // a phone every third, and neither count lands on the last week by itself. The requests came
  // last week; the payments yesterday (this week, unless today is a Monday).
  const week = 7 * 86_400_000;
  const monday = (ms: number) => ms - (((new Date(ms).getUTCDay() + 6) % 7) * 86_400_000 + (ms % 86_400_000));
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const from = day(monday(Date.now()) - 13 * week);
  const barsThisWeek = monday(Date.now() - 86_400_000) === monday(Date.now());
  for (const [screen, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    const person = await portal.openAs('leadership', { startAt: `/kpis?from=${from}&to=${day(Date.now())}`, viewport });
    const { page } = person;
    await page.locator('#chart-requests-title').waitFor();
    for (const chart of ['chart-requests', 'chart-delivery', 'chart-money']) {
      const rows = await page.locator(`#${chart}-table tbody tr`).evaluateAll((trs) =>
        trs.map((tr) => ({ week: tr.querySelector('th')?.textContent ?? '', bar: [...tr.querySelectorAll('td')].some((td) => /[1-9]/.test(td.textContent ?? '')) })),
      );
      const weeks = rows.map((r) => r.week);
      expect(weeks).toHaveLength(14);
      const labels = (await page.locator(`figure:has(#${chart}-title) svg.chart`).evaluate((svg) =>
        [...svg.querySelectorAll('text[text-anchor="middle"]')].map((t) => {
          const b = (t as unknown as { getBBox(): { x: number; width: number } }).getBBox();
          return { text: t.textContent, left: b.x, right: b.x + b.width };
        }),
      )) as { text: string; left: number; right: number }[];
      const at = labels.map((l) => weeks.indexOf(l.text));
      // Labels are weeks of the chart, in order, apart from each other.
      expect([screen, chart, at.every((i) => i >= 0), at]).toEqual([screen, chart, true, [...at].sort((a, b) => a - b)]);
      const touching = labels.slice(1).filter((l, i) => l.left < labels[i].right + 4).map((l) => l.text);
      expect([screen, chart, touching]).toEqual([screen, chart, []]);
      // Each bar is named, or lies between two labels (counted from them); none right of the last or left of the first.
      const unread = rows.map((r, i) => ({ ...r, i })).filter((r) => r.bar && !at.includes(r.i) && !(at[0] < r.i && r.i < at[at.length - 1]));
      expect([screen, chart, unread.map((r) => r.week)]).toEqual([screen, chart, []]);
      if (chart === 'chart-requests') {
        // The one week with requests has a label of its own.
        expect(rows.filter((r) => r.bar)).toHaveLength(1);
        expect(labels.map((l) => l.text)).toContain(rows.find((r) => r.bar)!.week);
      }
      if (chart === 'chart-money' && barsThisWeek) expect([screen, labels[labels.length - 1].text]).toEqual([screen, weeks[13]]);
    }
    await page.locator('#kpi-response').screenshot({ path: `${SCREENSHOT_DIR}/30h-kpis-weeks-labelled-${screen}.png` });
    await page.locator('#kpi-money').screenshot({ path: `${SCREENSHOT_DIR}/30i-kpis-money-weeks-${screen}.png` });
    expect(unexpectedErrors(person.errors)).toEqual([]);
    await person.context.close();
  }
});

step('in Berlin, weeks across the change of clocks start on their Mondays: a period ending on a Sunday has no hour-long week after it', async () => {
  // Monday 20 October 2025 (summer time) to Sunday 1 February 2026 (winter time), as a reader in
  // Berlin picks them: fifteen weeks, the last from Monday 26 January.
  const person = await portal.openAs('leadership', { startAt: '/kpis?from=2025-10-20&to=2026-02-01' });
  await person.page.locator('#chart-requests-title').waitFor();
  const weeks = await person.page.locator('#chart-requests-table tbody th').allTextContents();
  expect(weeks).toHaveLength(15);
  expect([weeks[0], weeks[1], weeks.at(-1)]).toEqual(['20 Oct', '27 Oct', '26 Jan']);
  expect(unexpectedErrors(person.errors)).toEqual([]);
  await person.context.close();
});

step('an invoice past due since this morning reads "less than a day overdue", not "0 days"; later ones in whole days', async () => {
  const { page } = leader;
  const overdue = page.locator('#kpi-money li', { has: page.getByRole('link', { name: /^INV-LATE-/ }) });
  await overdue.first().waitFor();
  const badgeOf = async (number: string) => (await overdue.filter({ has: page.getByRole('link', { name: number, exact: true }) }).locator('.badge').textContent())?.trim();
  expect(await badgeOf('INV-LATE-HOURS')).toBe('less than a day overdue');
  expect(await badgeOf('INV-LATE-DAY')).toBe('1 day overdue');
  expect(await badgeOf('INV-LATE-DAYS')).toBe('2 days overdue');
  expect(await page.locator('#kpi-money').textContent()).not.toMatch(/\b0 days overdue/);
  await portal.screenshot(page, '30a-kpis-invoices-past-due');
});

step('a sales target of "1500,5" is stored as 1500.5; "12,5x" is refused at the amount, and nothing is sent', async () => {
  planner = await portal.openAs('leadership', { startAt: '/targets' });
  const { page } = planner;
  const sent: string[] = [];
  page.on('request', (r) => {
    if (r.method() !== 'GET') sent.push(`${r.method()} ${new URL(r.url()).pathname}`);
  });
  const managerId = h.people.manager.id;
  const now = new Date();
  const quarter = `${now.getUTCFullYear()}-Q${Math.floor(now.getUTCMonth() / 3) + 1}`; // the page's default period
  const stored = async () => (await h.http().get(`/api/reports/sales-targets?managerId=${managerId}&period=${quarter}`).set(h.auth('leadership')).expect(200)).body.items;
  const card = page.locator('li.target', { has: page.getByRole('heading', { name: h.directory.get(managerId)!.name }) });
  await card.getByText(`No target for ${quarter} yet.`).waitFor();
  const amount = page.locator(`#target-${managerId}-amount`);
  expect(await amount.getAttribute('inputmode')).toBe('decimal');

  await amount.fill('12,5x');
  await card.getByRole('button', { name: 'Set target' }).click();
  await page.locator(`#target-${managerId}-amount-error`).getByText(/not an amount/).waitFor();
  expect(await amount.getAttribute('aria-invalid')).toBe('true');
  await portal.screenshot(page, '30b-sales-target-not-an-amount');
  expect(await accessibilityProblems(page)).toEqual([]);
  expect(sent).toEqual([]);
  expect(await stored()).toEqual([]);

  await amount.fill('1500,5');
  await card.getByRole('button', { name: 'Set target' }).click();
  await card.getByText(/^Target €1,500\.50 · set by /).waitFor();
  expect(sent).toEqual([`PUT /api/reports/sales-targets/${managerId}/${quarter}`]);
  expect(await stored()).toEqual([expect.objectContaining({ managerId, period: quarter, amount: 1500.5, currency: 'EUR' })]);

  // A next attempt that fails (a period that does not exist): the saved message does not stay above its refusal.
  await page.locator('.flash').getByText(/target for/).waitFor();
  await page.locator('#target-period').fill('2026-Q5');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.locator('#target-period-error').waitFor();
  expect(await page.locator('.flash').textContent()).toBe('');
  await page.locator('#target-period').fill('2026-Q4');
  expect(await page.locator('#target-period-error').count()).toBe(0);
});

step('the sales plan says what it measures in the money figures’ words: net paid (payments less refunds) against the target', async () => {
  // The third manager's quarter (that of yesterday's payment and refund): paid 800, refunded 150,
  // 650 net paid against a target of 1,000.
  const yesterday = new Date(Date.now() - 86_400_000);
  const quarter = `${yesterday.getUTCFullYear()}-Q${Math.floor(yesterday.getUTCMonth() / 3) + 1}`;
  const managerId = h.people.reportManager.id;
  await h.http().put(`/api/reports/sales-targets/${managerId}/${quarter}`).set(h.auth('leadership')).send({ amount: 1_000, currency: 'EUR' }).expect(201);
  const report = (await h.http().get('/api/reports/kpis').set(h.auth('leadership')).expect(200)).body as KpiReport;
  expect(report.salesPlan.find((s) => s.managerId === managerId)).toMatchObject({ target: 1_000, paid: 650, fulfilment: 0.65 });

  const { page } = leader;
  await page.reload();
  const sales = page.locator('#kpi-sales');
  await sales.waitFor();
  expect(await page.locator('#chart-sales-note').textContent()).toBe(
    'Net paid (payments less refunds) on the manager\u2019s projects over the target\u2019s whole period, against the target.',
  );
  const third = h.directory.get(managerId)!.name;
  expect(await page.locator('#chart-sales-desc').textContent()).toContain(`${third} ${quarter}: 65%, €650.00 net paid of €1,000.00`);
  // Nowhere on the page is payments less refunds called just "paid".
  expect(await page.locator('main').textContent()).not.toMatch(/(?<!net )paid in the period|refunded: [^\s;]+ net(?! paid)/);
  await sales.scrollIntoViewIfNeeded();
  await portal.screenshot(page, '30q-kpis-sales-plan-net-paid');
  await page.setViewportSize(PHONE);
  await portal.screenshot(page, '30q-kpis-sales-plan-net-paid-phone');
  await page.setViewportSize(DESKTOP);
});

/** A leader whose browser is in another time zone, signed in through the sign-in page. */
async function leaderIn(timezoneId: string, startAt: string, viewport = DESKTOP): Promise<PersonPage> {
  const context = await portal.browser.newContext({ viewport, locale: 'en-GB', timezoneId });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()} (${msg.location().url})`);
  });
  await page.goto(`${portal.baseUrl}${startAt}`);
  await page.locator('#login-token').fill(h.people.leadership.token);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.locator('.topbar').waitFor();
  return { page, context, errors };
}

step('in Tokyo and Los Angeles a day picked is the reader\u2019s day: the header, the fields, the figures and the CSV\u2019s name agree, and the morning (or evening) of today counts in today', async () => {
  // Tokyo's "today" begins at 15:00 UTC the day before, Los Angeles' ends at 07:00 or 08:00 UTC the
  // day after: a first plan at 01:00 in Tokyo and a delivery at 20:00 in Los Angeles are the
  // reader's today, and not the UTC day of the same date.
  const zones = [
    { timezoneId: 'Asia/Tokyo', hour: 1, shot: 'tokyo' },
    { timezoneId: 'America/Los_Angeles', hour: 20, shot: 'los-angeles' },
  ] as const;
  for (const { timezoneId, hour, shot } of zones) {
    const reader = await leaderIn(timezoneId, '/kpis');
    const { page } = reader;
    await page.locator('#chart-requests-title').waitFor();
    const local = (await page.evaluate(`(() => {
      const d = new Date();
      const today = [d.getFullYear(), d.getMonth() + 1, d.getDate()].map((n) => String(n).padStart(2, '0')).join('-');
      const at = new Date(); at.setHours(${hour}, 0, 0, 0);
      return { today, factAt: at.toISOString(), label: new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(d) };
    })()`)) as { today: string; factAt: string; label: string };

    // No dates in the address: the fields are the reader's days, and the header says the same days.
    const [from, to] = (await page.evaluate(READERS_DEFAULT_PERIOD)) as [string, string];
    expect([timezoneId, await page.locator('#kpi-from').inputValue(), await page.locator('#kpi-to').inputValue()]).toEqual([timezoneId, from, to]);
    const fromLabel = (await page.evaluate(`new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(new Date(${JSON.stringify(`${from}T00:00:00`)}))`)) as string;
    expect(await page.locator('.page-sub p').textContent()).toMatch(new RegExp(`^${fromLabel} – ${local.label} ·`));

    const projectId = `p-kpi-${shot}-today`;
    const project = new ProjectBuilder({ projectId, managerId: h.people.manager.id, client: { id: `client-${shot}`, name: `Today in ${shot}`, segment: 'B2C' }, intakeAt: timezoneId === 'Asia/Tokyo' ? new Date(Date.parse(local.factAt) - 20_000).toISOString() : plusDays(local.factAt, -8) });
    if (timezoneId === 'Asia/Tokyo') project.submitPlan(local.factAt, [{ key: 'design', department: 'design', dueAt: plusDays(local.factAt, 7) }]);
    else {
      const planned = plusDays(local.factAt, -8);
      project.submitPlan(planned, [{ key: 'design', department: 'design', dueAt: plusDays(local.factAt, 1) }]).approve(planned);
      project.task('design').deliver(h.people.designer2.id, planned, local.factAt);
    }
    for (const snapshot of project.publishAll()) await h.reporting.publish(snapshot);

    await page.goto(`${portal.baseUrl}/kpis?from=${local.today}&to=${local.today}`);
    await page.locator('#chart-requests-title').waitFor();
    expect([timezoneId, await page.locator('#kpi-from').inputValue(), await page.locator('#kpi-to').inputValue()]).toEqual([timezoneId, local.today, local.today]);
    expect([timezoneId, await page.locator('.page-sub p').textContent()]).toEqual([timezoneId, expect.stringMatching(new RegExp(`^${local.label} – ${local.label} ·`))]);
    const note = (label: string) => page.locator('.tiles--wide .tile', { hasText: label }).locator('.tile-label').nth(1).textContent();
    if (timezoneId === 'Asia/Tokyo') expect([timezoneId, await note('Median response time')]).toEqual([timezoneId, expect.stringMatching(/^1 first plan;/)]);
    else expect([timezoneId, await note('On-time delivery')]).toEqual([timezoneId, '1 of 1 delivered tasks']);
    // The CSV is named by the day picked, once (not the day after: the period's end is exclusive).
    const href = (await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href'))!;
    const csv = await page.request.get(`${portal.baseUrl}${href}`);
    expect([timezoneId, csv.status(), csv.headers()['content-disposition']]).toEqual([timezoneId, 200, `attachment; filename="kpis-${local.today}-${local.today}.csv"`]);
    await portal.screenshot(page, `30n-kpis-today-${shot}`);
    expect(await accessibilityProblems(page)).toEqual([]);
    expect(unexpectedErrors(reader.errors)).toEqual([]);
    await reader.context.close();
  }
  const phone = await leaderIn('Asia/Tokyo', '/kpis', PHONE);
  await phone.page.locator('#chart-requests-title').waitFor();
  expect(await phone.page.evaluate<number>('document.documentElement.scrollWidth')).toBe(PHONE.width);
  await portal.screenshot(phone.page, '30o-kpis-tokyo-phone', { fullPage: false });
  await phone.context.close();
});

step('typing a year into a KPI date field asks for nothing until the date is whole: no 0002, 0020 or 0202, no 400', async () => {
  const person = await portal.openAs('leadership', { startAt: '/kpis' });
  const { page } = person;
  await page.locator('#chart-requests-title').waitFor();
  const asked: { from: string; status: number }[] = [];
  page.on('response', (res) => {
    const url = new URL(res.url());
    if (url.pathname === '/api/reports/kpis') asked.push({ from: url.searchParams.get('from') ?? '', status: res.status() });
  });
  // The last day whose day and month are the same number (11 November, 1 January): typed key by
  // key, as people type into a date field, it reads the same in a day-first or a month-first field.
  const target = (await page.evaluate(`(() => {
    const d = new Date();
    while (d.getDate() !== d.getMonth() + 1) d.setDate(d.getDate() - 1);
    return [d.getDate(), d.getMonth() + 1, d.getFullYear()];
  })()`)) as number[];
  const [dd, mm, yyyy] = target.map((n, i) => String(n).padStart(i === 2 ? 4 : 2, '0'));
  const wanted = `${yyyy}-${mm}-${dd}`;
  await page.locator('#kpi-from').focus();
  for (const key of `${dd}${mm}${yyyy}`) await page.keyboard.press(key);
  await page.waitForURL(new RegExp(`from=${wanted}`));
  await page.locator('.page-sub p').filter({ hasText: new RegExp(`^${await page.evaluate(`new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(new Date(${JSON.stringify(`${wanted}T00:00:00`)}))`)} – `) }).waitFor();
  await page.waitForURL(new RegExp(`from=${wanted}`));
  expect(await page.locator('#kpi-from').inputValue()).toBe(wanted);
  expect(asked.filter((a) => a.status >= 400 || !/^[1-9]/.test(a.from))).toEqual([]);
  expect(await page.locator('#kpi-from-error').count()).toBe(0);
  expect(unexpectedErrors(person.errors)).toEqual([]);
  await person.context.close();
});

step('hours in work per person list every staff member, at 0 h for those with room', async () => {
  const desk = await portal.openAs('leadership', { startAt: '/kpis' });
  const { page } = desk;
  await page.locator('#chart-workload-people-title').waitFor();
  const rows = await page.locator('#chart-workload-people-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.textContent?.trim()));
  const staff = (['designer', 'designer2', 'copywriter', 'seo', 'ads', 'analyst'] as const).map((k) => h.directory.get(h.people[k].id)!.name);
  expect(rows).toEqual(expect.arrayContaining(staff.map((n) => `${n}0 h`)));
  expect(rows).toHaveLength(staff.length);
  expect(await page.locator('#chart-workload-people-desc').textContent()).toContain('Nothing in hand:');
  await page.locator('#kpi-workload').screenshot({ path: `${SCREENSHOT_DIR}/30p-kpis-workload-everyone-desktop.png` });
  expect(unexpectedErrors(desk.errors)).toEqual([]);
  await desk.context.close();
  const phone = await portal.openAs('leadership', { startAt: '/kpis', viewport: PHONE });
  await phone.page.locator('#chart-workload-people-title').waitFor();
  await phone.page.locator('#kpi-workload').screenshot({ path: `${SCREENSHOT_DIR}/30p-kpis-workload-everyone-phone.png` });
  expect(unexpectedErrors(phone.errors)).toEqual([]);
  await phone.context.close();
});

step('work late and not delivered yet is said beside the on-time rate, which counts deliveries only', async () => {
  const now = new Date().toISOString();
  const project = new ProjectBuilder({ projectId: 'p-kpi-late-undelivered', managerId: h.people.manager.id, client: { id: 'client-late-undelivered', name: 'Late Undelivered', segment: 'B2B' }, intakeAt: plusDays(now, -6) });
  project.submitPlan(plusDays(now, -5), [{ key: 'design', department: 'design', dueAt: plusDays(now, -1) }]).approve(plusDays(now, -5));
  project.task('design').open(plusDays(now, -5));
  for (const snapshot of project.publishAll()) await h.reporting.publish(snapshot);
  const desk = await portal.openAs('leadership', { startAt: '/kpis' });
  const note = desk.page.locator('.tiles--wide .tile', { hasText: 'On-time delivery' }).locator('.tile-label').nth(1);
  await note.filter({ hasText: /; 1 task overdue now, not delivered yet$/ }).waitFor();
  expect(unexpectedErrors(desk.errors)).toEqual([]);
  await desk.context.close();
});

step('reworked tasks say their send-backs are those of the accepted tasks: a task sent back and not accepted again yet is not counted as none sent back', async () => {
  const now = new Date().toISOString();
  const project = new ProjectBuilder({ projectId: 'p-kpi-sent-back', managerId: h.people.manager.id, client: { id: 'client-sent-back', name: 'Sent Back', segment: 'B2B' }, intakeAt: plusDays(now, -6) });
  project
    .submitPlan(plusDays(now, -5), [
      { key: 'accepted', department: 'design', dueAt: plusDays(now, 3) },
      { key: 'redo', department: 'design', dueAt: plusDays(now, 3) },
    ])
    .approve(plusDays(now, -5));
  // Accepted after one round of changes; the other sent back once and not delivered again yet.
  project.task('accepted').deliver(h.people.designer.id, plusDays(now, -5), plusDays(now, -3), { sendBack: 1, acceptedAt: plusDays(now, -2) });
  project.task('redo').open(plusDays(now, -5)).claim(h.people.designer2.id).submit(plusDays(now, -3)).sendBack(plusDays(now, -2));
  for (const snapshot of project.publishAll()) await h.reporting.publish(snapshot);
  for (const viewport of [DESKTOP, PHONE]) {
    const reader = await portal.openAs('leadership', { startAt: '/kpis', viewport });
    const tile = reader.page.locator('.tiles--wide .tile', { hasText: 'Reworked tasks' });
    // Los Angeles' delivery of the step above is accepted too, when the reader's period holds its evening.
    // The manager's send-backs, not "rounds of changes": those words are the client's rounds'.
    await tile
      .locator('.tile-label')
      .nth(1)
      .filter({ hasText: /^1 of [12] accepted tasks? had been sent back by the manager, once$/ })
      .waitFor();
    await tile.screenshot({ path: `${SCREENSHOT_DIR}/30r-kpis-reworked-${viewport === PHONE ? 'phone' : 'desktop'}.png` });
    expect(unexpectedErrors(reader.errors)).toEqual([]);
    await reader.context.close();
  }
});

step('the rounds of changes the clients asked for are said apart from the send-backs: within the included rounds, beyond them, and the extra price of each currency', async () => {
  const clientRounds = async (viewport = DESKTOP) => {
    const reader = await portal.openAs('leadership', { startAt: '/kpis', viewport });
    const tile = reader.page.locator('.tiles--wide .tile', { hasText: 'Rounds of changes the clients asked for' });
    await tile.waitFor();
    return { reader, tile };
  };
  // None yet in this period: said in words.
  const before = await clientRounds();
  expect(await before.tile.locator('.tile-value').textContent()).toBe('0');
  expect(await before.tile.locator('.tile-label').nth(1).textContent()).toBe('none asked for in the period');
  expect(unexpectedErrors(before.reader.errors)).toEqual([]);
  await before.reader.context.close();

  // A GBP project with one round included: its first round within it, its second beyond at £300;
  // a EUR project with none included: its one round beyond at €200.
  const now = new Date().toISOString();
  const rounds = (projectId: string, currency: string, included: number) => {
    const project = new ProjectBuilder({ projectId, managerId: h.people.manager.id, client: { id: `client-${projectId}`, name: `Rounds ${currency}`, segment: 'B2B' }, intakeAt: plusDays(now, -8), currency });
    project.submitPlan(plusDays(now, -7), [{ key: 'design', department: 'design', dueAt: plusDays(now, 5) }], { includedRevisionRounds: included }).approve(plusDays(now, -7));
    // Sent back once by the manager before the client saw it: send-backs on the tile beside, whichever steps ran.
    project.task('design').deliver(h.people.designer.id, plusDays(now, -7), plusDays(now, -6), { sendBack: 1, acceptedAt: plusDays(now, -5) });
    return project.toClientReview(plusDays(now, -5));
  };
  const gbp = rounds('p-kpi-rounds-gbp', 'GBP', 1);
  gbp.requestRevisions(plusDays(now, -4), ['design'], plusDays(now, 5));
  gbp.toClientReview(plusDays(now, -3));
  gbp.requestRevisions(plusDays(now, -2), ['design'], plusDays(now, 5), 300);
  const eur = rounds('p-kpi-rounds-eur', 'EUR', 0);
  eur.requestRevisions(plusDays(now, -2), ['copywriting'], plusDays(now, 5), 200);
  for (const p of [gbp, eur]) for (const snapshot of p.publishAll()) await h.reporting.publish(snapshot);

  // A desk and the narrowest phone (320 px).
  const NARROW = { width: 320, height: 720 };
  for (const viewport of [DESKTOP, NARROW]) {
    const { reader, tile } = await clientRounds(viewport);
    await tile.locator('.tile-value').filter({ hasText: /^3$/ }).waitFor();
    expect(await tile.locator('.tile-label').nth(1).textContent()).toBe('1 within the included rounds, 2 beyond them at €200.00 and £300.00 extra');
    // The manager's send-backs keep their own words on their own tile.
    const reworked = reader.page.locator('.tiles--wide .tile', { hasText: 'Reworked tasks' });
    expect(await reworked.textContent()).toMatch(/ accepted tasks had been sent back by the manager, \d+ times in all$/);
    await tile.screenshot({ path: `${SCREENSHOT_DIR}/30s-kpis-client-rounds-${viewport === NARROW ? 'phone' : 'desktop'}.png` });
    await reader.page.locator('.tiles--wide').screenshot({ path: `${SCREENSHOT_DIR}/30s-kpis-tiles-${viewport === NARROW ? 'phone' : 'desktop'}.png` });
    if (viewport === DESKTOP) expect(await accessibilityProblems(reader.page)).toEqual([]);
    expect(unexpectedErrors(reader.errors)).toEqual([]);
    await reader.context.close();
  }
});

/**
 * The portfolio as a CSV file (GET /api/projects.csv): leadership, and a manager for their own
 * projects, take into a spreadsheet every project the project list finds with the same filters
 * — all of them, not a page — one row each, with whose it is, where it stands, its dates, what is
 * late or open, the money owed either way, what it invoiced and was paid (the KPI report's net
 * figures, per project) and its page in the portal. The list's refusals are the CSV's, and a
 * title a spreadsheet would run as a formula arrives as text.
 *
 * The projects are published into the harness's own reporting store as the workflows would
 * publish them (no worker runs: the CSV reads the store alone).
 */
import type { PORTFOLIO_CSV_COLUMNS } from '../../api/portfolio-csv';
import type { KpiReport, ProjectListItem } from '../../api/schemas';
import { ProjectBuilder, plusDays } from '../reporting/builders';
import { startApiHarness, type ApiHarness, type PersonKey } from '../support/api';
import { csvRows, parseCsv } from '../support/csv';

jest.setTimeout(120_000);

const PORTAL = 'https://agency.example';
const DAY = 86_400_000;
const daysFromNow = (days: number): string => new Date(Date.now() + days * DAY).toISOString();

let h: ApiHarness;
const stamp = Date.now().toString(36);
const id = (key: string) => `p-csv-${key}-${stamp}`;

/** A client whose name needs quoting (a comma and quotes) and is not plain ASCII. */
const BAKERY = { id: 'client-csv-bakery', name: 'Bäckerei "Sonne", Berlin', segment: 'B2B' as const };
const DENTIST = { id: 'client-csv-dentist', name: 'Zahnarzt Dr. Schön', segment: 'B2C' as const };
const GYM = { id: 'client-csv-gym', name: 'Gym & Co', segment: 'B2B' as const };
/** The client of one project only: the KPI report's money for them is that project's. */
const PRINTER = { id: `client-csv-printer-${stamp}`, name: 'Print Shop', segment: 'B2B' as const };
const FORMULA_TITLE = '=HYPERLINK("https://evil.example","Click")';
/** The leaflets' final invoice: €1,400.00 billed, €750.00 paid, past due. */
const OWED_DUE = daysFromNow(-3);
const LATE_TASK_DUE = daysFromNow(-2);
/** More projects of one manager than a page of the store (200): the file has them all. */
const MANY = 205;

beforeAll(async () => {
  h = await startApiHarness({ withoutWorker: true, env: { PUBLIC_BASE_URL: `${PORTAL}/` } });
  const base = new Date(Date.now() - 20 * DAY).toISOString();
  let n = 0;
  const project = (key: string, title: string, client: { id: string; name: string; segment: 'B2B' | 'B2C' }, managerId = h.people.manager.id) => {
    const p = new ProjectBuilder({ projectId: id(key), managerId, client, intakeAt: new Date(Date.parse(base) + ++n * 60_000).toISOString() });
    p.status.title = title;
    p.status.desiredDeadline = daysFromNow(20);
    return p;
  };
  // Work past due, its title a formula.
  const formula = project('formula', FORMULA_TITLE, BAKERY)
    .submitPlan(plusDays(base, 1), [{ key: 'menu', department: 'design', dueAt: LATE_TASK_DUE }])
    .approve(plusDays(base, 2));
  formula.task('menu').open(plusDays(base, 2)).claim('dima.design');
  // Accepted; the client owes the rest of the final invoice, past due.
  const leaflets = project('leaflets', 'Bakery leaflets', BAKERY)
    .submitPlan(plusDays(base, 1), [{ key: 'leaflet', department: 'design', dueAt: plusDays(base, 5) }])
    .approve(plusDays(base, 2));
  leaflets.task('leaflet').deliver('dima.design', plusDays(base, 2), plusDays(base, 4));
  leaflets.toClientReview(plusDays(base, 4)).clientAccepts(plusDays(base, 5), 4);
  leaflets.invoice('final', `INV-CSV-F-${stamp}`, 1400, plusDays(base, 5), OWED_DUE, { status: 'open' });
  leaflets.pay(leaflets.status.invoices[0].number, 750, plusDays(base, 6), 'part');
  // A request without a plan, of a B2C client.
  const request = project('request', 'Dentist brochure', DENTIST);
  request.status.stage = 'intake';
  // Completed, nothing left to do: hidden by the portfolio until asked for.
  const done = project('done', 'Bakery posters', BAKERY)
    .submitPlan(plusDays(base, 1), [{ key: 'posters', department: 'design', dueAt: plusDays(base, 3) }])
    .approve(plusDays(base, 1));
  done.task('posters').deliver('dima.design', plusDays(base, 1), plusDays(base, 2), { acceptedAt: plusDays(base, 3) });
  done.toClientReview(plusDays(base, 3)).clientAccepts(plusDays(base, 3), 5).complete(plusDays(base, 4));
  // Completed, then its final invoice owed again (a payment the bank took back): still in view.
  const owedAgain = project('owed-again', 'Bakery banners', BAKERY)
    .submitPlan(plusDays(base, 1), [{ key: 'banner', department: 'design', dueAt: plusDays(base, 3) }])
    .approve(plusDays(base, 1));
  owedAgain.task('banner').deliver('dima.design', plusDays(base, 1), plusDays(base, 2), { acceptedAt: plusDays(base, 3) });
  owedAgain.toClientReview(plusDays(base, 3)).clientAccepts(plusDays(base, 3), 5).complete(plusDays(base, 4));
  owedAgain.invoice('final', `INV-CSV-A-${stamp}`, 500, plusDays(base, 3), OWED_DUE, { status: 'open' });
  // The other manager's: an open complaint; and a cancelled project whose bill is still to be paid.
  const complained = project('complained', 'Gym flyers', GYM, h.people.otherManager.id)
    .submitPlan(plusDays(base, 1), [{ key: 'flyer', department: 'design', dueAt: daysFromNow(10) }])
    .approve(plusDays(base, 2));
  complained.task('flyer').open(plusDays(base, 2));
  complained.complain(plusDays(base, 3));
  const settle = project('settle', 'Gym signage', GYM, h.people.otherManager.id)
    .submitPlan(plusDays(base, 1), [{ key: 'signs', department: 'design', dueAt: daysFromNow(10) }])
    .approve(plusDays(base, 2))
    .invoice('prepayment', `INV-CSV-P-${stamp}`, 300, plusDays(base, 2), daysFromNow(5), { status: 'open' })
    .cancel(plusDays(base, 3));
  // Billed and paid: a €300 prepayment paid; the €900 final invoice paid €400 and €500, a €100
  // compensation (a complaint after completion) refunded by a credit note, then the bank returned
  // the €500: the other manager's, owed €500 again.
  const [prepayment, final, creditNote] = [`INV-CSV-BP-${stamp}`, `INV-CSV-BF-${stamp}`, `CN-CSV-B-${stamp}`];
  const billed = project('billed', 'Print shop catalogue', PRINTER, h.people.otherManager.id)
    .submitPlan(plusDays(base, 1), [{ key: 'catalogue', department: 'design', dueAt: plusDays(base, 5) }], { prepaymentPercent: 25 })
    .approve(plusDays(base, 1))
    .invoice('prepayment', prepayment, 300, plusDays(base, 1), plusDays(base, 8), { status: 'open' })
    .pay(prepayment, 300, plusDays(base, 2), 'pp');
  billed.task('catalogue').deliver('dima.design', plusDays(base, 2), plusDays(base, 4), { acceptedAt: plusDays(base, 4) });
  billed
    .toClientReview(plusDays(base, 4))
    .clientAccepts(plusDays(base, 5), 3)
    .invoice('final', final, 900, plusDays(base, 5), daysFromNow(5), { status: 'open' })
    .pay(final, 400, plusDays(base, 6), 'part-1')
    .pay(final, 500, plusDays(base, 7), 'part-2')
    .complete(plusDays(base, 7));
  billed
    .resolve(billed.complain(plusDays(base, 8)), plusDays(base, 9))
    .invoice('credit_note', creditNote, 100, plusDays(base, 9), plusDays(base, 23), { status: 'open' })
    .pay(creditNote, 100, plusDays(base, 10), 'refund')
    .takeBack(final, 'part-2', 'returned_by_bank', plusDays(base, 12));
  for (const p of [formula, leaflets, request, done, owedAgain, complained, settle, billed]) for (const snapshot of p.publishAll()) await h.reporting.publish(snapshot);
  for (let i = 0; i < MANY; i++) {
    const p = new ProjectBuilder({
      projectId: id(`many-${i}`),
      managerId: h.people.reportManager.id,
      client: { id: 'client-csv-events', name: 'Busy Bee Events', segment: 'B2C' },
      intakeAt: new Date(Date.parse(base) + i * 1_000).toISOString(),
    });
    p.status.title = `Event flyer ${i + 1}`;
    await h.reporting.publish(p.publish());
  }
});

afterAll(async () => {
  await h?.close();
});

type Row = Record<(typeof PORTFOLIO_CSV_COLUMNS)[number], string>;

/** The CSV as `who` downloads it: its response and its rows by column name. */
async function downloaded(query: Record<string, string>, who: PersonKey = 'leadership') {
  const res = await h
    .http()
    .get('/api/projects.csv')
    .query(query)
    .set(h.auth(who))
    .buffer(true)
    .parse((response, done) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => done(null, body));
    })
    .expect(200);
  const text = res.body as string;
  expect(text.startsWith('\uFEFF')).toBe(true);
  return { res, header: parseCsv(text)[0], rows: csvRows(text) as Row[], text };
}

/** Every project the list finds with `query`, page after page, as the portal reads it. */
async function listed(query: Record<string, string>, who: PersonKey = 'leadership'): Promise<ProjectListItem[]> {
  const items: ProjectListItem[] = [];
  let pageToken: string | undefined;
  do {
    const res = await h
      .http()
      .get('/api/projects')
      .query({ ...query, pageSize: '100', ...(pageToken && { pageToken }) })
      .set(h.auth(who))
      .expect(200);
    items.push(...(res.body.items as ProjectListItem[]));
    pageToken = res.body.nextPageToken as string | undefined;
  } while (pageToken);
  return items;
}

const today = () => new Date().toISOString().slice(0, 10);

test('one row per project with the columns leadership reads off the cards, a download named for the day', async () => {
  const { res, header, rows } = await downloaded({ managerId: h.people.manager.id });
  expect(res.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
  expect(res.headers['content-disposition']).toBe(`attachment; filename="portfolio-${today()}.csv"`);
  expect(header).toEqual([
    'projectId',
    'title',
    'clientId',
    'clientName',
    'segment',
    'managerId',
    'managerName',
    'stage',
    'startedAt',
    'stageEnteredAt',
    'clientDueAt',
    'plannedEndAt',
    'endsAfterClientDate',
    'overdue',
    'hasOpenComplaint',
    'complaintDueAt',
    'invoiced',
    'paid',
    'amountOwed',
    'paymentDueAt',
    'refundOwed',
    'refundDueAt',
    'currency',
    'portalUrl',
  ]);
  // The manager's five, newest first, as the list orders them.
  expect(rows.map((r) => r.projectId)).toEqual([id('owed-again'), id('done'), id('request'), id('leaflets'), id('formula')]);
  const byId = new Map(rows.map((r) => [r.projectId, r]));
  const managerName = h.directory.get(h.people.manager.id)!.name;
  expect(byId.get(id('leaflets'))).toEqual({
    projectId: id('leaflets'),
    title: 'Bakery leaflets',
    clientId: BAKERY.id,
    clientName: BAKERY.name,
    segment: 'B2B',
    managerId: h.people.manager.id,
    managerName,
    stage: 'invoicing',
    startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    stageEnteredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    clientDueAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    plannedEndAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    endsAfterClientDate: 'false',
    overdue: 'false',
    hasOpenComplaint: 'false',
    complaintDueAt: '',
    invoiced: '1400',
    paid: '750',
    amountOwed: '650',
    paymentDueAt: OWED_DUE,
    refundOwed: '',
    refundDueAt: '',
    currency: 'EUR',
    portalUrl: `${PORTAL}/projects/${id('leaflets')}`,
  });
  expect(byId.get(id('formula'))).toMatchObject({ stage: 'in_production', overdue: 'true', plannedEndAt: LATE_TASK_DUE, amountOwed: '', clientName: BAKERY.name });
  expect(byId.get(id('request'))).toMatchObject({ stage: 'intake', segment: 'B2C', clientName: DENTIST.name, plannedEndAt: '', overdue: 'false' });
  expect(byId.get(id('done'))).toMatchObject({ stage: 'completed', overdue: 'false' });
  // Each row's dates are the list's own for the project (its ISO timestamps).
  const list = new Map((await listed({ managerId: h.people.manager.id })).map((p) => [p.projectId, p]));
  const dates = ['startedAt', 'stageEnteredAt', 'clientDueAt', 'plannedEndAt', 'paymentDueAt', 'complaintDueAt'] as const;
  for (const row of rows) {
    const item = list.get(row.projectId)!;
    expect(dates.map((d) => [row.projectId, d, row[d]])).toEqual(dates.map((d) => [row.projectId, d, item[d] ?? '']));
  }
});

test('what a project invoiced and was paid, net, in the list and the file: the KPI report’s netInvoiced and netPaid for it; nothing billed is 0', async () => {
  const items = await listed({ clientId: PRINTER.id });
  const [item] = items;
  const [row] = (await downloaded({ clientId: PRINTER.id })).rows;
  // The KPI report's money for its client (this project alone), over a period holding all of it.
  const period = { from: new Date(Date.now() - 30 * DAY).toISOString(), to: daysFromNow(1) };
  const report = (await h.http().get('/api/reports/kpis').query(period).set(h.auth('leadership')).expect(200)).body as KpiReport;
  const kpi = report.money.byClient.find((m) => m.clientId === PRINTER.id)!;
  expect({ list: [item.invoiced, item.paid], csv: [row.invoiced, row.paid] }).toEqual({
    list: [kpi.netInvoiced, kpi.netPaid],
    csv: [String(kpi.netInvoiced), String(kpi.netPaid)],
  });
  // By hand: €300 + €900 invoiced, less the €100 credit note; €300 + €400 + €500 paid, less the
  // €500 the bank returned and the €100 refunded. Still owed: the €500 returned.
  expect([items.map((p) => p.projectId), item.invoiced, item.paid, item.amountOwed, item.currency, kpi.currency]).toEqual([[id('billed')], 1100, 600, 500, 'EUR', 'EUR']);
  // A request nothing was billed for yet.
  expect({
    list: (await listed({ clientId: DENTIST.id })).map((p) => [p.projectId, p.invoiced, p.paid]),
    csv: (await downloaded({ clientId: DENTIST.id })).rows.map((r) => [r.projectId, r.invoiced, r.paid]),
  }).toEqual({ list: [[id('request'), 0, 0]], csv: [[id('request'), '0', '0']] });
});

test('the filters narrow the file as they narrow the project list, every project found however many', async () => {
  const queries: Record<string, string>[] = [
    {},
    { managerId: h.people.otherManager.id },
    { q: 'bakery' },
    { q: 'sonne berlin' },
    { clientId: GYM.id },
    { segment: 'B2C' },
    { stage: 'intake' },
    { overdue: 'true' },
    { only: 'overdue' },
    { only: 'settle' },
    { only: 'complaints' },
    { only: 'payments' },
    { only: 'refunds' },
    { managerId: h.people.manager.id, segment: 'B2B', q: 'leaflets' },
  ];
  for (const query of queries) {
    const { rows } = await downloaded(query);
    expect([query, rows.map((r) => r.projectId)]).toEqual([query, (await listed(query)).map((p) => p.projectId)]);
  }
  // Each set is what its name says.
  const ids = async (query: Record<string, string>) => (await downloaded(query)).rows.map((r) => r.projectId);
  expect(await ids({ only: 'overdue' })).toEqual([id('formula')]);
  expect(await ids({ only: 'payments' })).toEqual([id('owed-again'), id('leaflets')]);
  expect(await ids({ only: 'complaints' })).toEqual([id('complained')]);
  expect(await ids({ only: 'settle' })).toEqual([id('settle')]);
  expect(await ids({ q: 'sonne berlin' })).toEqual([id('owed-again'), id('done'), id('leaflets'), id('formula')]);
  // More than a page of the store: all of them.
  const many = await ids({ managerId: h.people.reportManager.id });
  expect(many).toHaveLength(MANY);
  expect(new Set(many).size).toBe(MANY);
});

test('finished=hidden leaves out what the portfolio hides until asked: a completed project with nothing left to do, not a cancelled one with money to settle nor a completed one owed again', async () => {
  const all = (await downloaded({})).rows.map((r) => r.projectId);
  const hidden = (await downloaded({ finished: 'hidden' })).rows.map((r) => r.projectId);
  expect(all).toContain(id('done'));
  expect(hidden).toEqual(all.filter((p) => p !== id('done')));
  expect(hidden).toContain(id('settle'));
  expect(hidden).toContain(id('owed-again'));
  expect((await downloaded({ finished: 'shown' })).rows.map((r) => r.projectId)).toEqual(all);
});

test('a manager gets their own projects only, and is refused another manager’s as the list refuses them; staff are refused', async () => {
  const own = (await downloaded({}, 'manager')).rows;
  expect(new Set(own.map((r) => r.managerId))).toEqual(new Set([h.people.manager.id]));
  expect(own.map((r) => r.projectId)).toEqual((await listed({}, 'manager')).map((p) => p.projectId));
  expect((await downloaded({ managerId: h.people.manager.id }, 'manager')).rows).toEqual(own);
  // Not another manager's, and not everyone's.
  const refused = await h.http().get('/api/projects.csv').query({ managerId: h.people.otherManager.id }).set(h.auth('manager')).expect(403);
  expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
  const listRefused = await h.http().get('/api/projects').query({ managerId: h.people.otherManager.id }).set(h.auth('manager')).expect(403);
  expect(refused.body.detail).toBe(listRefused.body.detail);
  // Staff see no portfolio.
  const staff = await h.http().get('/api/projects.csv').set(h.auth('designer')).expect(403);
  expect(staff.headers['content-type']).toMatch(/application\/problem\+json/);
  await h.http().get('/api/projects.csv').expect(401);
});

test('a filter the list refuses is refused alike: 400 problem+json naming the parameter; the list’s pages are no parameter of a file', async () => {
  const refused = async (query: Record<string, string>) => {
    const res = await h.http().get('/api/projects.csv').query(query).set(h.auth('leadership')).expect(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    return res.body.errors as { field: string; message: string }[];
  };
  for (const query of <Record<string, string>[]>[{ segment: 'B2X' }, { only: 'late' }, { q: '   ' }, { clientId: "x' OR 1=1" }, { stage: 'done' }, { overdue: 'yes' }]) {
    const listRefused = await h.http().get('/api/projects').query(query).set(h.auth('leadership')).expect(400);
    expect([query, await refused(query)]).toEqual([query, listRefused.body.errors]);
    expect((await refused(query)).map((e) => e.field)).toEqual(Object.keys(query));
  }
  expect(await refused({ finished: 'yes' })).toEqual([{ field: 'finished', message: expect.stringContaining('shown') }]);
  expect(await refused({ pageSize: '10' })).toEqual([{ field: 'pageSize', message: 'unknown field' }]);
});

test('a title a spreadsheet would run as a formula arrives as text: an apostrophe before it, the rest as typed', async () => {
  const { rows, text } = await downloaded({ q: 'hyperlink' });
  expect(rows.map((r) => r.title)).toEqual([`'${FORMULA_TITLE}`]);
  // Quoted as a whole (it holds quotes and a comma), never a bare cell starting with "=".
  expect(text).toContain(`,"'=HYPERLINK(""https://evil.example"",""Click"")",`);
  expect(text.split('\r\n').some((line) => line.split(',').some((cell) => /^"?[=+\-@]/.test(cell)))).toBe(false);
});

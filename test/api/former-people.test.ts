/**
 * People who leave can be kept by name (the people file's `formerPeople`): they sign in nowhere and
 * are offered for nothing, but the reports, documents and mails that name them still say who.
 * Moving someone from `people` to `formerPeople` is how the agency records a departure: the API's
 * directory follows the file, so their token stops working and their name stays. The store's copies
 * are published as the workflows would publish them (no worker runs).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createDigestActivities } from '../../activities/digest';
import { PeopleDirectory } from '../../common/people';
import type { FormerPeopleList } from '../../api/schemas';
import type { KpiWorkloadList } from '../../api/kpi-workload-schemas';
import { ProjectBuilder, plusDays } from '../reporting/builders';
import { startApiHarness, type ApiHarness } from '../support/api';
import { changePeopleFile, followPeopleFile, removeFromPeopleFile } from '../support/people-file';
import { eventually } from '../support/temporal';

let h: ApiHarness;
const ANTON = { id: 'anton.left', name: 'Anton Belov', leftOn: '2026-11-30' };
let designerName: string;

beforeAll(async () => {
  h = await startApiHarness({ withoutWorker: true });
  designerName = h.directory.get(h.people.designer.id)!.name;
  const base = new Date(Date.now() - 10 * 86_400_000).toISOString();
  const due = new Date(Date.now() + 10 * 86_400_000).toISOString();
  const project = new ProjectBuilder({
    projectId: `p-former-${Date.now().toString(36)}`,
    managerId: h.people.manager.id,
    client: { id: 'client-former', name: 'Client Former', segment: 'B2B' },
    intakeAt: base,
  })
    .submitPlan(plusDays(base, 1), ['a', 'b'].map((key) => ({ key, department: 'design' as const, dueAt: due })))
    .approve(plusDays(base, 2));
  project.task('a').open(plusDays(base, 2)).claim(ANTON.id);
  project.task('b').open(plusDays(base, 2)).claim(h.people.designer.id);
  for (const snapshot of project.publishAll()) await h.reporting.publish(snapshot);
  followPeopleFile(h);
});
afterAll(async () => {
  h?.directory.stopFollowing();
  await h?.close();
});

const former = async (): Promise<FormerPeopleList['items']> =>
  ((await h.http().get('/api/people/former').set(h.auth('designer2')).expect(200)).body as FormerPeopleList).items;
const workInHandNames = async (): Promise<Record<string, string | undefined>> => {
  const list = (await h.http().get('/api/reports/kpis/workload?state=in_work').set(h.auth('leadership')).expect(200)).body as KpiWorkloadList;
  return Object.fromEntries(list.items.map((t) => [t.assigneeId!, t.assigneeName]));
};

test('someone the file no longer has is named by id; kept in formerPeople, by name', async () => {
  expect(await former()).toEqual([]);
  expect(await workInHandNames()).toEqual({ [ANTON.id]: undefined, [h.people.designer.id]: designerName });

  changePeopleFile(h, (file) => ({ ...file, formerPeople: [ANTON] }));
  await eventually(async () => (await former()).length === 1, { what: 'formerPeople taken' });
  expect(await former()).toEqual([ANTON]);
  expect(await workInHandNames()).toEqual({ [ANTON.id]: ANTON.name, [h.people.designer.id]: designerName });
  await h.http().get('/api/people/former').expect(401);
  // Leadership's weekly digest names them too (its work of people no longer here).
  const digest = await createDigestActivities({ reporting: h.reporting, people: h.directory, overloadHours: 40 }).prepareLeadershipDigest({ at: new Date().toISOString() });
  expect(JSON.parse(String(digest?.goneHolders))).toEqual([{ personId: ANTON.id, name: ANTON.name, inWork: 1 }]);
});

test('moved from people to formerPeople: refused from the next request, never offered, still named', async () => {
  await h.http().get('/api/me').set(h.auth('designer')).expect(200);
  await removeFromPeopleFile(h, h.people.designer.id, {});
  expect((await h.http().get('/api/me').set(h.auth('designer'))).status).toBe(401);
  const offered = (await h.http().get('/api/people?role=staff&department=design').set(h.auth('manager')).expect(200)).body as { items: { id: string }[] };
  expect(offered.items.map((p) => p.id)).not.toContain(h.people.designer.id);
  expect(await former()).toEqual([ANTON, { id: h.people.designer.id, name: designerName }]);
  expect(await workInHandNames()).toEqual({ [ANTON.id]: ANTON.name, [h.people.designer.id]: designerName });
  // The portfolio counts them as gone: kept by name, not in the directory.
  const gone = (await h.http().get('/api/reports/portfolio').set(h.auth('leadership')).expect(200)).body as { workOfPeopleGone: { tasks: { personId: string }[] } };
  expect(gone.workOfPeopleGone.tasks.map((t) => t.personId).sort()).toEqual([ANTON.id, h.people.designer.id].sort());
});

test('one id, one person: an id in both lists, a former entry with a token or a role, is refused', () => {
  const dir = fs.mkdtempSync(path.join(h.config.DATA_DIR, 'former-'));
  const file = path.join(dir, 'people.json');
  const anna = { id: 'anna.manager', name: 'Anna Petrova', email: 'anna@agency.example', role: 'manager', token: 'former-test-anna-token-0001' };
  const refusal = (formerPeople: object[]) => {
    fs.writeFileSync(file, JSON.stringify({ people: [anna], formerPeople }));
    return () => PeopleDirectory.fromFile(file);
  };
  expect(refusal([{ id: 'anna.manager', name: 'Anna Petrova' }])).toThrow(`people directory ${file}: duplicate id "anna.manager" (formerPeople)`);
  expect(refusal([ANTON, ANTON])).toThrow('duplicate id "anton.left" (formerPeople)');
  expect(refusal([{ ...ANTON, token: 'former-test-anton-token-01' }])).toThrow(/formerPeople\.0: .*token/);
  expect(refusal([{ ...ANTON, role: 'staff' }])).toThrow(/formerPeople\.0: .*role/);
  expect(refusal([{ ...ANTON, leftOn: '30.11.2026' }])).toThrow(/formerPeople\.0\.leftOn/);
  expect(refusal([ANTON])().nameOf(ANTON.id)).toBe(ANTON.name);
  expect(refusal([ANTON])().get(ANTON.id)).toBeUndefined();
});

/** Where a client's time went that the API's handler did not spend: the way in and the way back. */
import type { RequestRecord } from '../../bench/agencyflow/api-process';
import { breakdown, transportSplit, type ClientTiming } from '../../bench/lib/profile';
import { summarize } from '../../bench/lib/stats';
import { hopFloorFigure } from '../../bench/scenarios/p1-create';

const record = (id: string, openedAt: number, total: number): RequestRecord => ({
  route: 'GET /api/tasks/:taskId',
  status: 200,
  total,
  stages: [],
  id,
  openedAt,
  endedAt: openedAt + total,
});

test('each request is split by its id into the way in, the handler and the way back', () => {
  // 99 quick reads (1 ms in, 2 ms handler, 0.5 ms back) and one slow on its way in (40 ms).
  const records = Array.from({ length: 100 }, (_, i) => record(`r${i}`, i * 100 + (i === 99 ? 40 : 1), 2));
  const clients: ClientTiming[] = records.map((r, i) => ({
    requestId: r.id,
    sentAt: i * 100,
    receivedAt: r.endedAt + 0.5,
    ms: r.endedAt + 0.5 - i * 100,
  }));
  const split = transportSplit(records, clients)!;
  expect(split.matched).toBe(100);
  expect(split.wayIn.p50).toBeCloseTo(1, 5);
  expect(split.wayBack.p50).toBeCloseTo(0.5, 5);
  expect(split.hop.p50).toBeCloseTo(1.5, 5);
  // The slowest 1% (here the one read): its time was on the way in, not in the handler.
  expect(split.slowest).toEqual({ n: 1, client: 42.5, wayIn: 40, server: 2, wayBack: 0.5 });
});

test('requests without an id or a record are left out; none matched gives no split', () => {
  const records = [record('a', 10, 2)];
  const clients: ClientTiming[] = [
    { requestId: 'a', sentAt: 9, receivedAt: 12.5, ms: 3.5 },
    { requestId: 'elsewhere', sentAt: 0, receivedAt: 1, ms: 1 },
    { ms: 4 },
  ];
  expect(transportSplit(records, clients)?.matched).toBe(1);
  expect(transportSplit(records, [{ ms: 4 }])).toBeUndefined();
});

test('a breakdown given the client records carries the split; given plain times, none', () => {
  const records = [record('a', 10, 2)];
  const clients: ClientTiming[] = [{ requestId: 'a', sentAt: 9, receivedAt: 12.5, ms: 3.5 }];
  expect(breakdown('GET /api/tasks/:taskId', records, clients).transport?.matched).toBe(1);
  expect(breakdown('GET /api/tasks/:taskId', records, clients).client?.p50).toBe(3.5);
  expect(breakdown('GET /api/tasks/:taskId', records, [3.5]).transport).toBeUndefined();
});

test("P1's floor is a bare start plus the way in and back alone, for each side measured", () => {
  const hop = summarize([1.6, 1.7, 1.8]);
  const figure = hopFloorFigure({ hop: summarize([2, 2, 2]), bareStart: summarize([10, 10, 10]) }, { hop, bareStart: summarize([6.5, 6.5, 6.5]) })!;
  expect(figure.id).toBe('P1.hop');
  expect(figure.data).toEqual({
    sequential: { hopMs: 2, bareStartMs: 10, floor: 1.2 },
    settled: { hopMs: 1.7, bareStartMs: 6.5, floor: 1.26 },
  });
  expect(figure.ratio).toBe('1.20×; 1.26×');
  expect(figure.met).toBeUndefined(); // a bound beside P1's goal, not a goal of its own
  // Without the split on one side, that side is a dash; without it on both, no figure.
  expect(hopFloorFigure(undefined, { hop, bareStart: summarize([6.5]) })!.ratio).toBe('–; 1.26×');
  expect(hopFloorFigure(undefined, undefined)).toBeUndefined();
});

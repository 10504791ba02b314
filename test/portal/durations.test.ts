/**
 * How long, in the portal's words: how late work is (the late-work list, the plan's "due … after
 * the client's date"), never more than it is — 11 minutes late is not "1 hour", 35 hours is not
 * "1 day" — and the short durations of the badges ("waiting 3 h"), unchanged.
 */
import { formatDuration, lateInWords } from '../../web/src/format';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

test.each([
  [11 * MINUTE, '11 minutes'],
  [1 * MINUTE, '1 minute'],
  [59 * MINUTE + 59_000, '59 minutes'],
  [HOUR, '1 hour'],
  [HOUR + 40 * MINUTE + 30_000, '1 hour 40 minutes'],
  [4.5 * HOUR, '4 hours 30 minutes'],
  [35 * HOUR, '35 hours'],
  [47 * HOUR + 59 * MINUTE, '47 hours 59 minutes'],
  [2 * DAY, '2 days'],
  [3 * DAY + 23 * HOUR, '3 days'],
  [10 * DAY + 5 * HOUR, '10 days'],
])('%p ms late reads %j, rounded down', (ms, words) => {
  expect(lateInWords(ms)).toBe(words);
});

test('late by less than a minute says so, not "0 minutes" nor seconds', () => {
  expect([lateInWords(1), lateInWords(59_999)]).toEqual(['less than a minute', 'less than a minute']);
});

test('the badges’ short durations read as before: the largest unit, rounded down', () => {
  expect([formatDuration(500), formatDuration(45_000), formatDuration(-3 * HOUR - 59 * MINUTE), formatDuration(9 * DAY)]).toEqual(['500 ms', '45 s', '3 h', '1 w']);
  expect(formatDuration(HOUR + 40 * MINUTE, { parts: 2 })).toBe('1 h 40 min');
});

/**
 * A refusal of the API as the portal's fields read it (web/src/api.ts): `ApiError.at` gathers a
 * field's messages and its sub-fields', and `humanize` says zod's words for an empty field as
 * "required" — the word the API itself sends for any missing value (api/errors.ts) — leaving every
 * other message as the API wrote it. `retryAfterOf` reads a busy answer's Retry-After, in seconds or
 * as a date, for the page to read again then.
 */
import { ApiError, humanize, retryAfterOf } from '../../web/src/api';

const refusal = (errors: { field: string; message: string }[]) =>
  new ApiError(400, { type: 'about:blank', title: 'Bad Request', status: 400, errors });

test('a field’s messages and its sub-fields’, in a person’s words, one after another; another field’s are not its', () => {
  const error = refusal([
    { field: 'tasks[1].dueAt', message: 'after the client’s date' },
    { field: 'tasks[1].dependsOn[0]', message: 'Too small: expected string to have >=1 characters' },
    { field: 'tasks[10].price', message: 'Invalid input: expected number, received NaN' },
    { field: 'links[1]', message: 'expected an absolute URL' },
  ]);
  expect(error.at('tasks[1]')).toBe('after the client’s date; required');
  expect(error.at('tasks[10]')).toBe('required');
  expect(error.at('tasks[2]')).toBeUndefined();
  // An entry of a list typed as one field: the message as sent, named by no "address N" of this
  // class (the task page names its links itself: `linkRefusals`).
  const at = error.at.bind(error) as (field: string, ...rest: unknown[]) => string | undefined;
  expect(at('links', 'address')).toBe('expected an absolute URL');
});

test('only zod’s own words for an empty field read "required"; the API’s messages pass as written', () => {
  expect(humanize('Too small: expected string to have >=1 characters')).toBe('required');
  expect(humanize('Invalid input: expected number, received null')).toBe('required');
  expect(humanize('required')).toBe('required');
  expect(humanize('at least one is required')).toBe('at least one is required');
  // Words the API no longer sends (a missing value is just "required") get no mapping of their own.
  expect(humanize('required: a number')).toBe('required: a number');
});

test('Retry-After in seconds or as a date is how long to wait; none, or anything else, is no time said', () => {
  const now = Date.parse('2026-12-07T20:00:00Z');
  expect(retryAfterOf('5', now)).toBe(5);
  expect(retryAfterOf(' 0 ', now)).toBe(0);
  expect(retryAfterOf('Mon, 07 Dec 2026 20:00:12 GMT', now)).toBe(12);
  expect(retryAfterOf('Mon, 07 Dec 2026 19:59:00 GMT', now)).toBe(0);
  expect(retryAfterOf(null, now)).toBeUndefined();
  expect(retryAfterOf('', now)).toBeUndefined();
  expect(retryAfterOf('soon', now)).toBeUndefined();
  // What Date.parse alone would read as years.
  expect(retryAfterOf('-3', now)).toBeUndefined();
  expect(retryAfterOf('5.5', now)).toBeUndefined();
});

/** The README's configuration table is the user's manual: it must list every variable we accept. */
import fs from 'node:fs';
import path from 'node:path';
import { envSchema } from '../../common/config';

const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
const tableRows = new Map(
  [...readme.matchAll(/^\| `([A-Z_]+)` \| (.+?) \|/gm)].map((m) => [m[1], m[2]]),
);

test.each(Object.keys(envSchema.shape))('%s is in the README configuration table', (variable) => {
  expect(tableRows.has(variable)).toBe(true);
});

test('the README documents no variable the service does not accept', () => {
  const accepted = new Set(Object.keys(envSchema.shape));
  expect([...tableRows.keys()].filter((v) => !accepted.has(v))).toEqual([]);
});

test('defaults in the table match the schema', () => {
  const defaults = envSchema.parse({}) as Record<string, unknown>;
  for (const [variable, cell] of tableRows) {
    const literal = /^`([^`]*)`$/.exec(cell.trim());
    if (!literal) continue; // "(unset)" or a derived default
    const raw = (envSchema.shape as Record<string, { parse(v: unknown): unknown }>)[variable].parse(literal[1]);
    expect({ variable, value: raw }).toEqual({ variable, value: defaults[variable] });
  }
});

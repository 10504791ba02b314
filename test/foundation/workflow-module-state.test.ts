/**
 * The workflow modules are evaluated once per worker sandbox and shared by every run it holds
 * (`preloadModules` in common/workflow-bundle.ts). State kept at module level would then leak from
 * one run into another — a replay that disagrees with its history. This keeps new module-level
 * state from slipping in unnoticed: each module-level `let`/`var` or mutable collection must be
 * listed here with why sharing it is harmless.
 */
import fs from 'node:fs';
import path from 'node:path';

const WORKFLOWS = path.join(__dirname, '..', '..', 'workflows');

/** file → the module-level declarations allowed in it, and why. */
const SHARED_ON_PURPOSE: Record<string, string[]> = {
  // A cache of each currency's minor digits from Intl: the same for every run.
  'money.ts': ['const digitsByCurrency = new Map'],
};

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sources(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

it('no workflow module keeps state at module level, except what is shared on purpose', () => {
  const found: string[] = [];
  for (const file of sources(WORKFLOWS)) {
    const relative = path.relative(WORKFLOWS, file);
    const allowed = SHARED_ON_PURPOSE[relative] ?? [];
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      // Column 0 only: module level (the code is formatted by prettier).
      const stateful = /^(export )?(let|var) /.test(line) || /^(export )?const \w+ = new (Map|Set|WeakMap|Array)\b/.test(line) || /^(export )?const \w+(: [^=]+)? = \[\]/.test(line);
      if (stateful && !allowed.some((a) => line.startsWith(a))) found.push(`${relative}: ${line.trim()}`);
    }
  }
  expect(found).toEqual([]);
});

/**
 * A harness's people file changed as the agency changes it — someone leaves, changes role, is
 * kept by name — and the API's directory following it as in production (PEOPLE_RELOAD_INTERVAL),
 * only faster. Each change is a rename, as editors and volume mounts replace a file: never half a
 * file read.
 */
import fs from 'node:fs';
import { createLogger } from '../../common/logger';
import type { ApiHarness } from './api';
import { eventually } from './temporal';

export type PeopleFileEntry = { id: string; name: string; role: string; department?: string };
export interface PeopleFileContents {
  people: PeopleFileEntry[];
  formerPeople?: { id: string; name: string; leftOn?: string }[];
}

type WithPeopleFile = Pick<ApiHarness, 'directory' | 'config'>;

/** From now on the API's directory reads the file again every 50 ms (`stopFollowing` in afterAll). */
export function followPeopleFile(h: WithPeopleFile): void {
  h.directory.followFile(h.config.peopleFile, { everyMs: 50, logger: createLogger({ level: 'silent' }) });
}

export function readPeopleFile(h: WithPeopleFile): PeopleFileContents {
  return JSON.parse(fs.readFileSync(h.config.peopleFile, 'utf8')) as PeopleFileContents;
}

export function changePeopleFile(h: WithPeopleFile, change: (contents: PeopleFileContents) => PeopleFileContents): void {
  const file = h.config.peopleFile;
  fs.writeFileSync(`${file}.next`, JSON.stringify(change(readPeopleFile(h)), null, 2));
  fs.renameSync(`${file}.next`, file);
}

/** Someone leaves: out of the file (and kept by name in formerPeople, when `keptAs` says so), once the followed directory has taken it. */
export async function removeFromPeopleFile(h: WithPeopleFile, id: string, keptAs?: { leftOn?: string }): Promise<void> {
  changePeopleFile(h, ({ people, formerPeople = [] }) => {
    const leaving = people.find((p) => p.id === id);
    const kept = keptAs && leaving ? [{ id, name: leaving.name, ...keptAs }] : [];
    return { people: people.filter((p) => p.id !== id), ...((formerPeople.length > 0 || kept.length > 0) && { formerPeople: [...formerPeople, ...kept] }) };
  });
  await eventually(async () => h.directory.get(id) === undefined, { what: `${id} gone from the directory` });
}

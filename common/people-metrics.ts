/**
 * The people directory's gauges, the same in the API's /metrics and the worker's: each process
 * follows PEOPLE_FILE on its own, so an operator alerts on both (one may have read a broken save
 * the other never saw).
 */
import { Gauge, type Registry } from 'prom-client';
import type { PeopleDirectory } from './people';

type Followed = Pick<PeopleDirectory, 'all' | 'fileRefused'>;

/** Registers the gauges; the returned function gives them the directory (built after the metrics). Both read 0 before it. */
export function registerPeopleGauges(registry: Registry, prefix: string): (people: Followed) => void {
  let directory: Followed | undefined;
  new Gauge({
    name: `${prefix}people_directory_people`,
    help: 'People in the directory in use (PEOPLE_FILE as last taken)',
    registers: [registry],
    collect() {
      this.set(directory?.all().length ?? 0);
    },
  });
  new Gauge({
    name: `${prefix}people_file_refused`,
    help: '1 while PEOPLE_FILE as it is now was not taken (broken, failing a check, or unreadable: the log says why), so the people loaded before stay in use; else 0',
    registers: [registry],
    collect() {
      this.set(directory?.fileRefused === undefined ? 0 : 1);
    },
  });
  return (people) => {
    directory = people;
  };
}

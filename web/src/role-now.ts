/**
 * Whether someone holding work still moves it on, and if not why, in the words every page says
 * beside their name (the portfolio's "Work of people no longer here", the KPI page's and the work
 * in hand's "Overloaded"); the digests say the same words (activities/mail/templates.ts). Someone
 * who left and is kept by name (the people file's formerPeople) is gone by the same rule, and named.
 */
import type { FormerPerson, Person, Role } from './api';
import { useName, useSession } from './data';
import { formatDay } from './format';

/** The role someone holding work has now, when it is not the one that holds it. */
const ROLE_NOW: Record<Role, string> = { leadership: 'now in leadership', manager: 'now an account manager', staff: 'now department staff' };

/** Why someone holding work no longer moves it on: gone from the people directory, or in another role now. */
export const roleNow = (person: Person | undefined): string => (person ? ROLE_NOW[person.role] : 'no longer here');

/**
 * Why someone's tasks in work wait until each is reassigned, by the rule of the report's
 * `workOfPeopleGone` (activities/reporting/workload.ts): gone from the people directory, or no
 * longer department staff ("now in leadership"). Undefined for department staff, and until the
 * directory is read (or when it could not be): nobody reads as gone for want of the list.
 */
export function useHolderGone(): (personId: string) => string | undefined {
  const { people, peopleRead } = useSession();
  return (personId) => {
    if (!peopleRead) return undefined;
    const person = people.get(personId);
    return person?.role === 'staff' ? undefined : roleNow(person);
  };
}

/** Someone who left, kept by name in the people file: "left on 30 Nov 2026", or "has left" when the file has no day. */
const leftInWords = (former: FormerPerson): string => (former.leftOn ? `left on ${formatDay(former.leftOn)}` : 'has left');

/**
 * Someone gone, named with why, in the same words on every page. `inSentence`: "Dima Kozlov, now an
 * account manager"; "Anton Belov, who left on 30 Nov 2026" (kept by name, formerPeople); for an id
 * nobody kept (no name for it) "dima.design, who is no longer in the people directory".
 * `besideName`, for a list: "Dima Kozlov (now an account manager)", "Anton Belov (left on 30 Nov
 * 2026)", and an id nobody kept as it is. `reason`, for a badge or a note under a name: "now an
 * account manager", "left on 30 Nov 2026", "no longer here". The rule of who is gone is
 * `useHolderGone`'s; these are words only.
 */
export function useGoneInWords(): { inSentence: (id: string) => string; besideName: (id: string) => string; reason: (id: string) => string } {
  const { people, formerPeople } = useSession();
  const name = useName();
  /** Why, after the name: in another role now, or left (kept by name); undefined when nobody kept them. */
  const why = (id: string): { said: string; left: boolean } | undefined => {
    const person = people.get(id);
    if (person) return { said: roleNow(person), left: false };
    const former = formerPeople.get(id);
    return former && { said: leftInWords(former), left: true };
  };
  return {
    inSentence: (id) => {
      const gone = why(id);
      if (!gone) return `${id}, who is no longer in the people directory`;
      return `${name(id)}, ${gone.left ? 'who ' : ''}${gone.said}`;
    },
    besideName: (id) => {
      const gone = why(id);
      return gone ? `${name(id)} (${gone.said})` : id;
    },
    reason: (id) => why(id)?.said ?? roleNow(undefined),
  };
}

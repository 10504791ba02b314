/**
 * Whether someone holding work still moves it on, and if not why, in the words every page says
 * beside their name (the portfolio's "Work of people no longer here", the KPI page's and the work
 * in hand's "Overloaded"); the digests say the same words (activities/mail/templates.ts).
 */
import type { Person, Role } from './api';
import { useSession } from './data';

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

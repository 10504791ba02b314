/**
 * The people directory: who works here, in which role and department, their email, and (for the
 * API) their bearer token. Loaded from a JSON file (PEOPLE_FILE). Tokens may be stored in clear
 * (demo) or as `sha256:<hex>` (production); either way they are compared in constant time.
 * The API and the worker follow the file (`followFile`): someone added can sign in, and someone
 * removed is refused, within PEOPLE_RELOAD_INTERVAL, without a restart.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import { z } from 'zod';
import type { Config } from './config';
import type { Logger } from './logger';
import { peopleReloadProblems } from './production-checks';
import { departmentSchema, roleSchema, type Department, type Role } from '../workflows/shared-schemas';

export const personSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'expected a lower-case id such as "anna.manager"'),
    name: z.string().min(1),
    email: z.email(),
    role: roleSchema,
    department: departmentSchema.optional(),
    /** Demo only: the token in clear. */
    token: z.string().min(16).optional(),
    /** Production: `sha256:` + hex digest of the token. */
    tokenSha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  })
  .strict()
  .refine((p) => p.role !== 'staff' || p.department !== undefined, {
    message: 'staff need a department',
    path: ['department'],
  });

/**
 * Someone who left the agency, kept by name only: they sign in nowhere and hold no role, but the
 * histories, documents, reports and mails that name them keep their name instead of an id.
 */
export const formerPersonSchema = z
  .object({
    id: personSchema.shape.id,
    name: z.string().min(1),
    /** The day they left, as the operator writes it (said beside their name). */
    leftOn: z.iso.date().optional(),
  })
  .strict();

export const directorySchema = z.object({ people: z.array(personSchema).min(1), formerPeople: z.array(formerPersonSchema).default([]) }).strict();

export type Person = Omit<z.infer<typeof personSchema>, 'token' | 'tokenSha256'>;
export type FormerPerson = z.infer<typeof formerPersonSchema>;

/**
 * Tokens stored in clear that start with this belong to demo people (config/people.example.json):
 * the portal's sign-in page offers them, since the README publishes them anyway. A production
 * directory stores `tokenSha256` digests, so nobody there is offered.
 */
export const DEMO_TOKEN_PREFIX = 'demo-';

const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

type DirectoryEntries = z.input<typeof directorySchema>['people'];
type FormerEntries = z.input<typeof directorySchema>['formerPeople'];

/** What one load of the file holds; replaced whole, so a reader never sees half of two files. */
interface Contents {
  byId: Map<string, Person>;
  formerById: Map<string, FormerPerson>;
  tokenDigests: { digest: Buffer; personId: string }[];
  demoTokens: Map<string, string>;
}

function contentsOf(entries: DirectoryEntries, former: FormerEntries = []): Contents {
  const contents: Contents = { byId: new Map(), formerById: new Map(), tokenDigests: [], demoTokens: new Map() };
  for (const { token, tokenSha256, ...person } of entries) {
    if (contents.byId.has(person.id)) throw new Error(`duplicate id "${person.id}"`);
    contents.byId.set(person.id, person);
    if (token) contents.tokenDigests.push({ digest: sha256(token), personId: person.id });
    if (token?.startsWith(DEMO_TOKEN_PREFIX)) contents.demoTokens.set(person.id, token);
    if (tokenSha256) contents.tokenDigests.push({ digest: Buffer.from(tokenSha256, 'hex'), personId: person.id });
  }
  // One id, one person: someone back after leaving is moved from formerPeople, not listed twice.
  for (const person of former) {
    if (contents.byId.has(person.id) || contents.formerById.has(person.id)) throw new Error(`duplicate id "${person.id}" (formerPeople)`);
    contents.formerById.set(person.id, person);
  }
  return contents;
}

/**
 * The file's text as a directory's entries, or why not. Never quotes the text: V8's JSON errors
 * show a stretch of it, which may be a token, and these reasons reach the logs.
 */
function parseDirectory(text: string): { entries: DirectoryEntries; former: FormerEntries; raw: unknown } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const at = /position (\d+)/.exec((err as Error).message)?.[1];
    if (at === undefined) throw new Error('not valid JSON');
    const before = text.slice(0, Number(at)).split('\n');
    throw new Error(`not valid JSON (line ${before.length}, column ${before[before.length - 1].length + 1})`);
  }
  const parsed = directorySchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`${first.path.join('.')}: ${first.message}`);
  }
  return { entries: parsed.data.people, former: parsed.data.formerPeople, raw };
}

const directoryNamed = (file: string | undefined): string => (file ? `people directory ${file}` : 'people directory');

export interface FollowOptions {
  /** How often the file is read again. */
  everyMs: number;
  logger: Logger;
  /**
   * What would make the new contents unfit (PRODUCTION_CHECKS: clear-text or demo tokens); a file
   * with problems is not taken, as the process would not have started on it.
   */
  problems?: (raw: unknown) => string[];
}

export class PeopleDirectory {
  private contents: Contents;
  private following?: NodeJS.Timeout;
  private refusedBecause?: string;
  /** The file's text as `fromFile` read it: following starts from it, not from a second read the file may have changed before. */
  private loadedFrom?: { file: string; text: string };

  /**
   * `former`: the people who left, kept by name. `loadedFrom`: the file and the text the entries
   * were read from (`fromFile`), which errors name and following starts from.
   */
  constructor(entries: DirectoryEntries, { former, loadedFrom }: { former?: FormerEntries; loadedFrom?: { file: string; text: string } } = {}) {
    try {
      this.contents = contentsOf(entries, former);
    } catch (err) {
      throw new Error(`${directoryNamed(loadedFrom?.file)}: ${(err as Error).message}`);
    }
    this.loadedFrom = loadedFrom;
  }

  static fromFile(file: string): PeopleDirectory {
    let text: string;
    let parsed: ReturnType<typeof parseDirectory>;
    try {
      text = fs.readFileSync(file, 'utf8');
      parsed = parseDirectory(text);
    } catch (err) {
      throw new Error(`${directoryNamed(file)}: ${(err as Error).message}`);
    }
    return new PeopleDirectory(parsed.entries, { former: parsed.former, loadedFrom: { file, text } });
  }

  /**
   * Reads the file again every `everyMs` and takes what changed: people added, removed, given
   * another role, department or token count from the next request (a removed person's open
   * sessions end with it, since each request looks the person up). A file that cannot be read or
   * does not pass is not taken: the people loaded before stay, and an error says why (once per
   * content, never quoting it). Polling, not fs.watch: a file mounted from a volume or a
   * Kubernetes ConfigMap is replaced by renaming a directory, which watchers miss.
   */
  followFile(file: string, { everyMs, logger, problems }: FollowOptions): void {
    this.stopFollowing();
    const log = logger.child({ component: 'people', file });
    // Built from entries, or from another file: the first read is taken whatever it holds.
    let lastText = this.loadedFrom?.file === file ? this.loadedFrom.text : undefined;
    let reading = false;
    let unreadable: string | undefined; // said once, not at every poll while it lasts
    const readAgain = async () => {
      if (reading) return;
      reading = true;
      try {
        let text: string;
        try {
          text = await fs.promises.readFile(file, 'utf8');
          unreadable = undefined;
        } catch (err) {
          const reason = `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
          if (reason === unreadable) return;
          unreadable = reason;
          lastText = undefined; // the file that comes back is read afresh, even if unchanged
          throw new Error(reason);
        }
        if (text === lastText) return;
        lastText = text;
        const { entries, former, raw } = parseDirectory(text);
        const unfit = problems?.(raw) ?? [];
        if (unfit.length > 0) throw new Error(unfit.join('; '));
        this.take(contentsOf(entries, former), log);
      } catch (err) {
        this.refusedBecause = (err as Error).message;
        log.error({ reason: this.refusedBecause, people: this.contents.byId.size }, 'People directory not reloaded: keeping the people loaded before');
      } finally {
        reading = false;
      }
    };
    this.following = setInterval(() => void readAgain(), everyMs);
    // The API and worker end by their own shutdown; a poll must not keep a process alive.
    this.following.unref();
  }

  /** Why the file as it is now was not taken (the people loaded before are in use); undefined when it was. */
  get fileRefused(): string | undefined {
    return this.refusedBecause;
  }

  stopFollowing(): void {
    clearInterval(this.following);
    this.following = undefined;
  }

  private take(next: Contents, log: Logger): void {
    const before = this.contents.byId;
    const added = [...next.byId.keys()].filter((id) => !before.has(id));
    const removed = [...before.keys()].filter((id) => !next.byId.has(id));
    const changed = [...next.byId.values()].filter((p) => before.has(p.id) && JSON.stringify(before.get(p.id)) !== JSON.stringify(p)).map((p) => p.id);
    this.contents = next;
    this.refusedBecause = undefined;
    log.info({ people: next.byId.size, added, removed, changed }, 'People directory reloaded');
  }

  /**
   * The person holding this token. Every entry is compared (digests of equal length, in constant
   * time) so the time taken does not tell how close a guess was.
   */
  authenticate(token: string): Person | undefined {
    const digest = sha256(token);
    let found: string | undefined;
    for (const entry of this.contents.tokenDigests) {
      if (timingSafeEqual(entry.digest, digest)) found = entry.personId;
    }
    return found ? this.contents.byId.get(found) : undefined;
  }

  /** Someone in the directory now (who may sign in and act); undefined for someone who left. */
  get(id: string): Person | undefined {
    return this.contents.byId.get(id);
  }

  /**
   * The name to show for an id where work, documents or mail name someone: theirs while they are
   * here, the name kept in formerPeople after they left; undefined for an id the file no longer has.
   */
  nameOf(id: string): string | undefined {
    return this.contents.byId.get(id)?.name ?? this.contents.formerById.get(id)?.name;
  }

  /** The people who left, kept by name (formerPeople), in file order. */
  formerPeople(): FormerPerson[] {
    return [...this.contents.formerById.values()];
  }

  /**
   * The person with this email, as single sign-on names them (case does not matter in the
   * address; RFC 5321 leaves the local part to the domain, and providers treat it alike).
   * Undefined for none, and for an address two entries share: which role would it be?
   */
  withEmail(email: string): Person | undefined {
    const wanted = email.trim().toLowerCase();
    const found = [...this.contents.byId.values()].filter((p) => p.email.toLowerCase() === wanted);
    return found.length === 1 ? found[0] : undefined;
  }

  all(): Person[] {
    return [...this.contents.byId.values()];
  }

  withRole(role: Role): Person[] {
    return this.all().filter((p) => p.role === role);
  }

  /** The demo people and their tokens, in directory order (empty for a production directory). */
  demoSignIns(): { person: Person; token: string }[] {
    const { demoTokens, byId } = this.contents;
    return [...demoTokens].map(([id, token]) => ({ person: byId.get(id)!, token }));
  }

  inDepartment(department: Department): Person[] {
    return this.all().filter((p) => p.role === 'staff' && p.department === department);
  }
}

/**
 * The process's people directory (API or worker): PEOPLE_FILE, read again every
 * PEOPLE_RELOAD_INTERVAL under the same checks as at the start. Its owner stops it on shutdown
 * (`stopFollowing`).
 */
export function followedPeopleFile(config: Config, logger: Logger): PeopleDirectory {
  const people = PeopleDirectory.fromFile(config.peopleFile);
  people.followFile(config.peopleFile, { everyMs: config.PEOPLE_RELOAD_INTERVAL, logger, problems: peopleReloadProblems(config) });
  return people;
}

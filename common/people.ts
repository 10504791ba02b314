/**
 * The people directory: who works here, in which role and department, their email, and (for the
 * API) their bearer token. Loaded from a JSON file (PEOPLE_FILE). Tokens may be stored in clear
 * (demo) or as `sha256:<hex>` (production); either way they are compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import { z } from 'zod';
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

export const directorySchema = z.object({ people: z.array(personSchema).min(1) }).strict();

export type Person = Omit<z.infer<typeof personSchema>, 'token' | 'tokenSha256'>;

/**
 * Tokens stored in clear that start with this belong to demo people (config/people.example.json):
 * the portal's sign-in page offers them, since the README publishes them anyway. A production
 * directory stores `tokenSha256` digests, so nobody there is offered.
 */
export const DEMO_TOKEN_PREFIX = 'demo-';

const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

export class PeopleDirectory {
  private readonly byId = new Map<string, Person>();
  private readonly tokenDigests: { digest: Buffer; personId: string }[] = [];
  private readonly demoTokens = new Map<string, string>();

  constructor(entries: z.infer<typeof directorySchema>['people']) {
    for (const { token, tokenSha256, ...person } of entries) {
      if (this.byId.has(person.id)) throw new Error(`people directory: duplicate id "${person.id}"`);
      this.byId.set(person.id, person);
      if (token) this.tokenDigests.push({ digest: sha256(token), personId: person.id });
      if (token?.startsWith(DEMO_TOKEN_PREFIX)) this.demoTokens.set(person.id, token);
      if (tokenSha256) this.tokenDigests.push({ digest: Buffer.from(tokenSha256, 'hex'), personId: person.id });
    }
  }

  static fromFile(file: string): PeopleDirectory {
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      throw new Error(`people directory ${file}: ${(err as Error).message}`);
    }
    const parsed = directorySchema.safeParse(raw);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new Error(`people directory ${file}: ${first.path.join('.')}: ${first.message}`);
    }
    return new PeopleDirectory(parsed.data.people);
  }

  /**
   * The person holding this token. Every entry is compared (digests of equal length, in constant
   * time) so the time taken does not tell how close a guess was.
   */
  authenticate(token: string): Person | undefined {
    const digest = sha256(token);
    let found: string | undefined;
    for (const entry of this.tokenDigests) {
      if (timingSafeEqual(entry.digest, digest)) found = entry.personId;
    }
    return found ? this.byId.get(found) : undefined;
  }

  get(id: string): Person | undefined {
    return this.byId.get(id);
  }

  /**
   * The person with this email, as single sign-on names them (case does not matter in the
   * address; RFC 5321 leaves the local part to the domain, and providers treat it alike).
   * Undefined for none, and for an address two entries share: which role would it be?
   */
  withEmail(email: string): Person | undefined {
    const wanted = email.trim().toLowerCase();
    const found = [...this.byId.values()].filter((p) => p.email.toLowerCase() === wanted);
    return found.length === 1 ? found[0] : undefined;
  }

  all(): Person[] {
    return [...this.byId.values()];
  }

  withRole(role: Role): Person[] {
    return this.all().filter((p) => p.role === role);
  }

  /** The demo people and their tokens, in directory order (empty for a production directory). */
  demoSignIns(): { person: Person; token: string }[] {
    return [...this.demoTokens].map(([id, token]) => ({ person: this.byId.get(id)!, token }));
  }

  inDepartment(department: Department): Person[] {
    return this.all().filter((p) => p.role === 'staff' && p.department === department);
  }
}

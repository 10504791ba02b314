/**
 * The weekly digests a person may stop (activities/mail/digest-mail.ts): the one-click stop from
 * the mail (POST /api/mail/unsubscribe) and a signed-in person's own choice (GET and PUT
 * /api/me/mail). Kept in a file of its own so the contract reads in one place.
 */
import { z } from 'zod';
import { DIGEST_KINDS } from '../activities/mail/digest-mail';
import { isoDate } from './schemas';

export const digestKindSchema = z.enum(DIGEST_KINDS).meta({
  description: 'A weekly digest: `leadership_digest` (where the agency stands, to leadership), `manager_digest` (a manager\u2019s own projects, to each manager).',
});

export const unsubscribeQuerySchema = z.object({
  token: z.string().meta({
    description: 'The token of the digest\u2019s link (its `List-Unsubscribe` header or its footer): it names the person and the digest, signed. Any other value is 400 naming `token`.',
  }),
});

export const unsubscribedSchema = z
  .object({
    digest: digestKindSchema,
    receives: z.literal(false).meta({ description: 'The person no longer gets this digest.' }),
    changed: z.boolean().meta({ description: 'False when it was already stopped (a second press changes nothing).' }),
  })
  .meta({ id: 'Unsubscribed' });
export type Unsubscribed = z.infer<typeof unsubscribedSchema>;

export const mailSettingsSchema = z
  .object({
    digests: z
      .array(
        z.object({
          digest: digestKindSchema,
          receives: z.boolean(),
          changedAt: isoDate.optional().meta({ description: 'When it was last turned off or on (none: never changed, the person gets it).' }),
          changedBy: z.string().optional().meta({ description: 'Who changed it last: the person\u2019s id (in the portal), or `mail-link` (the link in a digest).' }),
        }),
      )
      .meta({ description: 'The digests the person\u2019s role receives: leadership the leadership digest, a manager the manager digest, staff none.' }),
  })
  .meta({ id: 'MailSettings' });
export type MailSettings = z.infer<typeof mailSettingsSchema>;

export const mailSettingsRequestSchema = z
  .object({
    digests: z
      .array(z.object({ digest: digestKindSchema, receives: z.boolean() }).strict())
      .max(DIGEST_KINDS.length)
      .meta({ description: 'Whether the person gets each digest named; digests not named stay as they are. Only the digests of the person\u2019s role (400 otherwise).' }),
  })
  .strict()
  .meta({ id: 'MailSettingsRequest' });
export type MailSettingsRequest = z.infer<typeof mailSettingsRequestSchema>;

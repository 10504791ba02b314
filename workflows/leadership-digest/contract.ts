/**
 * Leadership's weekly digest: a Temporal Schedule (`leadership-digest`, made by the worker at
 * start from LEADERSHIP_DIGEST, in the agency's zone) starts this workflow, which reads where the
 * agency stands from the reporting store and mails it to leadership.
 */
export const LEADERSHIP_DIGEST_WORKFLOW_TYPE = 'leadershipDigestWorkflow';
export const LEADERSHIP_DIGEST_SCHEDULE_ID = 'leadership-digest';

/** The figures the digest prints, flat (a notice's data): counts, and lists already in words, one item a line. */
export type LeadershipDigestData = Record<string, string | number>;

/**
 * IANA time zones (`Europe/Berlin`), as the KPI reader's zone and the agency's own
 * (AGENCY_TIME_ZONE) are given: one check, so config and API refuse the same names.
 */
import { z } from 'zod';

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const timeZoneSchema = z.string().max(64).refine(isTimeZone, 'expected an IANA time zone such as Europe/Berlin');

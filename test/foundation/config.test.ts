import { ConfigError, loadConfig } from '../../common/config';
import { parseDuration } from '../../common/duration';

describe('configuration from the environment', () => {
  test('an empty environment gives the embedded default with documented defaults', () => {
    const config = loadConfig({}, '/srv/agency');
    expect(config.embeddedTemporal).toBe(true);
    expect(config.temporalAddress).toBe('127.0.0.1:7233');
    expect(config.dataDir).toBe('/srv/agency/data');
    expect(config.documentsDir).toBe('/srv/agency/data/documents');
    expect(config.TEMPORAL_RETENTION).toBe(365 * 86_400_000);
    expect(config.POLICY_APPROVAL_SLA).toBe(24 * 3_600_000);
    expect(config.API_PORT).toBe(3000);
    expect(config.publicBaseUrl).toBe('http://localhost:3000');
  });

  test("MAIL_FROM: as given; unset, the sender shows the agency's name (AGENCY_NAME), quoted where it must be", () => {
    expect(loadConfig({}).MAIL_FROM).toBe('Northwind Creative Agency <no-reply@agency.example>');
    expect(loadConfig({ AGENCY_NAME: 'Müller & Söhne, Design' }).MAIL_FROM).toBe('"Müller & Söhne, Design" <no-reply@agency.example>');
    expect(loadConfig({ AGENCY_NAME: 'The "Best" Agency' }).MAIL_FROM).toBe('"The \\"Best\\" Agency" <no-reply@agency.example>');
    expect(loadConfig({ MAIL_FROM: 'Billing <billing@agency.example>', AGENCY_NAME: 'Acme' }).MAIL_FROM).toBe('Billing <billing@agency.example>');
    expect(loadConfig({ MAIL_FROM: ' ' }).MAIL_FROM).toBe('Northwind Creative Agency <no-reply@agency.example>');
  });

  test("AGENCY_TIME_ZONE: the zone mails and papers print their times in; UTC unless set", () => {
    expect(loadConfig({}).AGENCY_TIME_ZONE).toBe('UTC');
    expect(loadConfig({ AGENCY_TIME_ZONE: 'Europe/Berlin' }).AGENCY_TIME_ZONE).toBe('Europe/Berlin');
  });

  test('the worker\u2019s V8 heap flags: the measured default, none when empty', () => {
    expect(loadConfig({}).WORKER_HEAP_FLAGS).toEqual(['--max-semi-space-size=2', '--heap-growing-percent=15']);
    expect(loadConfig({ WORKER_HEAP_FLAGS: '' }).WORKER_HEAP_FLAGS).toEqual([]);
    expect(loadConfig({ WORKER_HEAP_FLAGS: ' --max-old-space-size=2048 ' }).WORKER_HEAP_FLAGS).toEqual(['--max-old-space-size=2048']);
  });

  test('API_TRUSTED_PROXIES: none by default; addresses, ranges and the named ranges Express knows', () => {
    expect(loadConfig({}).API_TRUSTED_PROXIES).toBeUndefined();
    expect(loadConfig({ API_TRUSTED_PROXIES: ' ' }).API_TRUSTED_PROXIES).toBeUndefined();
    expect(loadConfig({ API_TRUSTED_PROXIES: 'loopback, 10.0.0.0/8,fd00::/8 , 192.0.2.7' }).API_TRUSTED_PROXIES).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8', '192.0.2.7']);
  });

  test('TEMPORAL_ADDRESS switches off the embedded server', () => {
    const config = loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233' });
    expect(config.embeddedTemporal).toBe(false);
    expect(config.temporalAddress).toBe('temporal:7233');
  });

  test('durations read the way people write them', () => {
    expect(loadConfig({ POLICY_REMINDER_LEAD: '90s' }).POLICY_REMINDER_LEAD).toBe(90_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('2w')).toBe(14 * 86_400_000);
    expect(parseDuration('soon')).toBeUndefined();
  });

  test.each([
    ['API_PORT', 'eighty', /API_PORT/],
    ['API_PORT', '70000', /API_PORT/],
    ['TEMPORAL_RETENTION', 'forever', /TEMPORAL_RETENTION: expected a positive duration/],
    ['POLICY_APPROVAL_SLA', '0s', /POLICY_APPROVAL_SLA/],
    ['SMTP_SECURE', 'maybe', /SMTP_SECURE: expected true or false/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL/],
    ['ESCALATION_EMAIL', 'not-an-email', /ESCALATION_EMAIL: expected an email address/],
    ['PUBLIC_BASE_URL', 'agency', /PUBLIC_BASE_URL/],
    ['API_TRUSTED_PROXIES', '10.0.0.0/33', /API_TRUSTED_PROXIES: expected addresses, CIDR ranges or loopback\/linklocal\/uniquelocal, comma-separated; not 10.0.0.0\/33/],
    ['API_TRUSTED_PROXIES', 'loopback, the-proxy', /API_TRUSTED_PROXIES: .*; not the-proxy$/m],
    ['DOCUMENTS_STORE', 's3', /DOCUMENTS_STORE: expected filesystem or database/],
    ['AGENCY_TIME_ZONE', 'Mars/Olympus_Mons', /AGENCY_TIME_ZONE: expected an IANA time zone such as Europe\/Berlin/],
    ['WORKER_HEAP_FLAGS', '--expose-gc', /WORKER_HEAP_FLAGS: "--expose-gc" is not of the form --name=number/],
    ['WORKER_HEAP_FLAGS', '--max-semi-space-size=2 --allow-natives-syntax=1', /WORKER_HEAP_FLAGS: --allow-natives-syntax is not one of --max-semi-space-size/],
  ])('an invalid %s=%s stops start-up with a message naming it', (variable, value, message) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(message);
  });

  test('every problem is reported at once, one line per variable', () => {
    try {
      loadConfig({ API_PORT: 'x', LOG_LEVEL: 'loud' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.map((p) => p.variable).sort()).toEqual(['API_PORT', 'LOG_LEVEL']);
    }
  });
});

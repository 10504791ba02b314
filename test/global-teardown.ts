export default async function globalTeardown(): Promise<void> {
  await globalThis.__AGENCYFLOW_REPORTING_DB__?.stop();
  await globalThis.__AGENCYFLOW_DEV_SERVER__?.stop();
}

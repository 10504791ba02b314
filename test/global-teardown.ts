export default async function globalTeardown(): Promise<void> {
  await globalThis.__AGENCYFLOW_DEV_SERVER__?.stop();
}

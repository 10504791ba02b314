/** Waits until every promise has settled, or `timeoutMs` has passed, whichever comes first. */
export async function settledWithin(promises: Iterable<Promise<unknown>>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  try {
    await Promise.race([Promise.allSettled([...promises]), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

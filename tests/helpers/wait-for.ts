/** Polls probe() every 100 ms (up to 10 s) until ok(value); throws with the last value when it never is. */
export async function waitFor<T>(probe: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  let value = await probe();
  for (let i = 0; i < 100 && !ok(value); i++) {
    await new Promise((r) => setTimeout(r, 100));
    value = await probe();
  }
  if (!ok(value)) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
  return value;
}

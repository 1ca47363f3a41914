export default async function globalTeardown() {
  await globalThis.embeddedTestPostgres?.stop();
}

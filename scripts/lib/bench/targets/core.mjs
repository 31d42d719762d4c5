// The foundation's cheapest route: what the emulator costs with no vendor work at all.
export default async function targets() {
  return [{ name: 'health', goal: 1.0, method: 'GET', path: '/_emulator/health' }];
}

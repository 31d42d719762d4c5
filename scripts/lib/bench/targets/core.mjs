// The foundation's cheapest route: what the emulator costs with no vendor work at all.
export default async function targets() {
  return [{ name: 'health', goal: 0.6, p99GoalMs: 2, method: 'GET', path: '/_emulator/health' }];
}

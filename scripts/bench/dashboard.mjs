// Placeholder replaced below once the dashboard server exists.
export async function dashboard() {
  return [];
}

// Placeholder until the Staff screen lands.
export function StaffScreen() {
  return <p className="muted">Coming soon.</p>;
}

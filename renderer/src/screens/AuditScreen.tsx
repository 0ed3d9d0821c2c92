// Placeholder until the Audit screen lands.
export function AuditScreen() {
  return <p className="muted">Coming soon.</p>;
}

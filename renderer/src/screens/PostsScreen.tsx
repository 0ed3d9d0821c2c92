// Placeholder until the Posts screen lands.
export function PostsScreen() {
  return <p className="muted">Coming soon.</p>;
}

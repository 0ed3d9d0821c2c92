// The person's browser in connect tests: opens a simulator's authorize page, which consents at
// once and redirects, and follows that redirect to Airlock's loopback listener.
export async function consent(authorizeUrl: string): Promise<{ callback: string; status: number; page: string }> {
  const page = await fetch(authorizeUrl, { redirect: 'manual' });
  const callback = page.headers.get('location');
  if (page.status !== 302 || !callback) throw new Error(`authorize answered ${page.status}: ${await page.text()}`);
  const answer = await fetch(callback);
  return { callback, status: answer.status, page: await answer.text() };
}

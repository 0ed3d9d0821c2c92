// Fills a core with many posts through its API, as a busy kiosk would have them: drafts written
// on the kiosk, created in parallel batches so that ten thousand take seconds, not minutes.
// Needs a signed-in person who may create posts.
import type { AirlockCore } from '../../electron/services/core.ts';

export async function seedDrafts(core: AirlockCore, count: number, caption = (n: number) => `Harbour notice ${n + 1}: the ferry leaves from pier ${(n % 7) + 1}.`): Promise<void> {
  const BATCH = 250;
  for (let start = 0; start < count; start += BATCH) {
    const results = await Promise.all(
      Array.from({ length: Math.min(BATCH, count - start) }, (_, i) => core.call('posts.create', { caption: caption(start + i), targets: ['mastodon'], media: [] })),
    );
    const failed = results.find((r) => !r.ok);
    if (failed && !failed.ok) throw new Error(`could not seed posts: ${failed.error.code}: ${failed.error.message}`);
  }
}

// The adapter's pieces on their own: how long Mastodon asked to wait, the backoff, what each
// refusal means for staff and the publisher, and reading checkpoints and instance limits back.
import { describe, expect, it } from 'vitest';
import { limitsFrom, readJobState } from '../../../../electron/platforms/mastodon/adapter.ts';
import { backoffDelay, rateLimitWaitMs } from '../../../../electron/platforms/mastodon/mastodon-api.ts';
import { explainMastodonAnswer, MastodonHttpError } from '../../../../electron/platforms/mastodon/mastodon-errors.ts';
import { MASTODON_DEFAULT_LIMITS, scopesCover } from '../../../../electron/platforms/mastodon/mastodon-protocol.ts';

const NOW = Date.UTC(2026, 10, 20, 9, 0, 0);

describe('rate-limit waits', () => {
  it('takes Retry-After in seconds or as a date first, else X-RateLimit-Reset, else nothing', () => {
    expect(rateLimitWaitMs({ 'retry-after': '7', 'x-ratelimit-reset': '2026-11-20T09:05:00.000Z' }, NOW)).toBe(7000);
    expect(rateLimitWaitMs({ 'retry-after': 'Fri, 20 Nov 2026 09:00:30 GMT' }, NOW)).toBe(30_000);
    expect(rateLimitWaitMs({ 'x-ratelimit-reset': '2026-11-20T09:05:00.123456Z' }, NOW)).toBe(300_123);
    expect(rateLimitWaitMs({ 'x-ratelimit-reset': '2026-11-20T08:00:00Z' }, NOW)).toBe(0);
    expect(rateLimitWaitMs({ 'retry-after': 'soon' }, NOW)).toBeUndefined();
    expect(rateLimitWaitMs({}, NOW)).toBeUndefined();
  });

  it('backs off exponentially with equal jitter, capped', () => {
    const policy = { baseDelayMs: 1000, maxDelayMs: 8000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay({ ...policy, random: () => 0 }, n))).toEqual([500, 1000, 2000, 4000, 4000]);
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay({ ...policy, random: () => 1 }, n))).toEqual([1000, 2000, 4000, 8000, 8000]);
  });
});

describe('what a refusal means', () => {
  const explain = (status: number, error: string) => explainMastodonAnswer(new MastodonHttpError('POST /api/v1/statuses', status, error), MASTODON_DEFAULT_LIMITS);

  it('names the limit when the text is too long, and never retries it', () => {
    const err = explain(422, 'Validation failed: Text character limit of 500 exceeded');
    expect(err).toMatchObject({ code: 'publish.mastodon.text-too-long', retryable: false, next: 'fix', detail: 'POST /api/v1/statuses answered HTTP 422: Validation failed: Text character limit of 500 exceeded' });
    expect(err.message).toMatch(/^Mastodon allows 500 characters in a post, and counts every link as 23\./);
  });

  it('maps Mastodon\'s other texts to codes staff can act on', () => {
    const cases: [number, string, string, boolean][] = [
      [401, 'The access token was revoked', 'reconnect', false],
      [403, 'This action is outside the authorized scopes', 'scope-missing', false],
      [403, 'Your login is currently disabled', 'forbidden', false],
      [422, "Validation failed: Text can't be blank", 'text-blank', false],
      [422, 'Cannot attach more than 4 files', 'too-many-media', false],
      [422, 'Cannot attach a video to a post that already contains images', 'media-mix', false],
      [422, 'Validation failed: File content type is invalid, File is invalid', 'media-type', false],
      [422, 'File type of uploaded media could not be verified', 'media-type', false],
      [422, 'Validation failed: File file size must be less than 16 MB', 'media-too-large', false],
      [422, 'Validation failed: Description is too long (maximum is 1500 characters)', 'alt-too-long', false],
      [422, 'Error processing thumbnail for uploaded media', 'media-processing-failed', false],
      [422, 'Cannot attach files that have not finished processing. Try again in a moment!', 'still-processing', true],
      [422, 'Something new', 'rejected', false],
      [413, '', 'media-too-large', false],
      [503, '', 'unavailable', true],
      [429, 'Too many requests', 'rate-limited', true],
      [400, 'bad', 'rejected', false],
    ];
    for (const [status, text, code, retryable] of cases) {
      expect(explain(status, text), `${status} ${text}`).toMatchObject({ code: `publish.mastodon.${code}`, retryable });
    }
  });

  it('quotes an unknown refusal so staff see Mastodon\'s own reason', () => {
    expect(explain(422, 'Validation failed: Language is odd').message).toBe('Mastodon refused the post: "Validation failed: Language is odd". Nothing was published. Ask IT to look at the details.');
  });
});

describe('checkpoints and limits read back', () => {
  it('treats anything unrecognisable as nothing done', () => {
    expect(readJobState({}, 2)).toEqual({ media: [null, null], statusSentAt: null });
    expect(readJobState({ media: 'x', statusSentAt: 'yesterday', result: { remoteId: 5 } }, 1)).toEqual({ media: [null], statusSentAt: null });
    expect(readJobState({ media: [{ id: '../etc', sha256: 'a', bytes: 1 }] }, 1).media).toEqual([null]);
  });

  it('reads media, the send time and the result, aligned to the request\'s media', () => {
    const state = readJobState({ media: [{ id: '1234', sha256: 'abc', bytes: 10, processed: true }, null, { id: '99', sha256: 'x', bytes: 1 }], statusSentAt: NOW, result: { remoteId: '77', url: 'https://m.example/@a/77', outcome: 'published' } }, 2);
    expect(state).toEqual({ media: [{ id: '1234', sha256: 'abc', bytes: 10, processed: true }, null], statusSentAt: NOW, result: { remoteId: '77', url: 'https://m.example/@a/77', outcome: 'published' } });
  });

  it('reads an instance\'s configuration, keeping the defaults for anything missing or odd', () => {
    const limits = limitsFrom({ configuration: { statuses: { max_characters: 5000, characters_reserved_per_url: -1 }, media_attachments: { supported_mime_types: ['image/png'], video_size_limit: 'big' } } });
    expect(limits).toMatchObject({ maxCharacters: 5000, charactersReservedPerUrl: 23, supportedMimeTypes: ['image/png'], videoSizeLimit: MASTODON_DEFAULT_LIMITS.videoSizeLimit });
    expect(limitsFrom(null)).toEqual(MASTODON_DEFAULT_LIMITS);
  });
});

describe('scopes', () => {
  it('lets read and write cover their sub-scopes, and nothing cover profile but itself', () => {
    expect(scopesCover(['write'], 'write:media')).toBe(true);
    expect(scopesCover(['read'], 'write:media')).toBe(false);
    expect(scopesCover(['read'], 'profile')).toBe(false);
    expect(scopesCover(['profile'], 'profile')).toBe(true);
  });
});

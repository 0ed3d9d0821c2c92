// The Instagram simulator driven over plain HTTP the way §6.4 describes, to hold it to the
// protocol: a REELS container with its rupload uri, the upload with `offset` and `file_size`,
// status_code until FINISHED, 9007/2207027 before then, media_publish, the publishing limit and
// its 9/2207042. 127.0.0.1 only.
import { afterEach, describe, expect, it } from 'vitest';
import { INSTAGRAM_PATHS } from '../../../../electron/platforms/instagram/protocol.ts';
import { startInstagramSimulator, type InstagramSimulator, type InstagramSimulatorOptions } from '../../../../electron/platforms/instagram/simulator.ts';
import { assertLoopback } from '../../../support/platform-driver.ts';

let sim: InstagramSimulator | undefined;

afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function start(options: InstagramSimulatorOptions = {}): Promise<InstagramSimulator> {
  sim = await startInstagramSimulator(options);
  assertLoopback(sim.origin);
  return sim;
}

async function call(url: string, method: string, init: { headers?: Record<string, string>; body?: string | Blob } = {}) {
  assertLoopback(url);
  const res = await fetch(url, { method, ...(init.headers ? { headers: init.headers } : {}), ...(init.body === undefined ? {} : { body: init.body }) });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read by shape in the assertions
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe('Instagram simulator: Reels publishing (§6.4)', () => {
  it('creates a container, takes the upload, finishes, publishes once and counts it against the limit', async () => {
    const s = await start({ processingPolls: 0, publishesPerDay: 1 });
    const token = s.issueUserToken().access_token;
    const user = s.accounts()[0]!.id;
    const auth = { Authorization: `OAuth ${token}` };
    const form = { ...auth, 'Content-Type': 'application/x-www-form-urlencoded' };
    // Without upload_type=resumable the Graph host asks for a video_url.
    expect((await call(`${s.origin}${INSTAGRAM_PATHS.media(user)}`, 'POST', { headers: form, body: 'media_type=REELS' })).body.error).toMatchObject({ code: 100, message: 'The parameter video_url is required' });
    const created = await call(`${s.origin}${INSTAGRAM_PATHS.media(user)}`, 'POST', { headers: form, body: 'media_type=REELS&upload_type=resumable&caption=Hi' });
    const { id, uri } = created.body;
    expect(uri).toBe(`${s.origin}${INSTAGRAM_PATHS.upload(id)}`);
    const status = async () => (await call(`${s.origin}${INSTAGRAM_PATHS.node(id)}?fields=status_code,status`, 'GET', { headers: auth })).body.status_code;
    expect(await status()).toBe('IN_PROGRESS');
    const publish = () => call(`${s.origin}${INSTAGRAM_PATHS.publish(user)}?creation_id=${id}`, 'POST', { headers: auth });
    expect((await publish()).body.error).toMatchObject({ code: 9007, error_subcode: 2207027 });

    const bytes = Buffer.alloc(5000, 1);
    expect((await call(uri, 'POST', { headers: { ...auth, offset: '0', file_size: '4000' }, body: new Blob([bytes]) })).body.debug_info).toMatchObject({ retriable: false });
    expect((await call(uri, 'POST', { headers: { ...auth, offset: '0', file_size: '5000' }, body: new Blob([bytes]) })).body).toEqual({ success: true, message: 'Upload successful.' });
    expect(await status()).toBe('FINISHED');
    const published = await publish();
    expect(published.body.id).toMatch(/^\d+$/);
    expect(await status()).toBe('PUBLISHED');
    expect((await publish()).status).toBe(400);
    const limit = await call(`${s.origin}${INSTAGRAM_PATHS.limit(user)}?fields=config,quota_usage`, 'GET', { headers: auth });
    expect(limit.body).toEqual({ data: [{ quota_usage: 1, config: { quota_total: 1, quota_duration: 86400 } }] });

    // The limit is reached: a second finished Reel is refused with 9/2207042.
    const second = (await call(`${s.origin}${INSTAGRAM_PATHS.media(user)}`, 'POST', { headers: form, body: 'media_type=REELS&upload_type=resumable&caption=Two' })).body;
    await call(second.uri, 'POST', { headers: { ...auth, offset: '0', file_size: '5000' }, body: new Blob([bytes]) });
    await call(`${s.origin}${INSTAGRAM_PATHS.node(second.id)}?fields=status_code`, 'GET', { headers: auth });
    expect((await call(`${s.origin}${INSTAGRAM_PATHS.publish(user)}?creation_id=${second.id}`, 'POST', { headers: auth })).body.error).toMatchObject({ code: 9, error_subcode: 2207042, fbtrace_id: expect.any(String) });
    expect(s.feed()).toHaveLength(1);
  });
});

// The Facebook Graph simulator driven over plain HTTP the way §6.2 describes, to hold it to the
// protocol: the Page token from the user token, the upload session for the app, bytes at
// `file_offset` with the token in the `Authorization: OAuth` header, the offset after an
// interruption, the handle, the video on the Page, and Graph's error envelope. 127.0.0.1 only.
import { afterEach, describe, expect, it } from 'vitest';
import { FACEBOOK_PATHS } from '../../../../electron/platforms/facebook/protocol.ts';
import { startFacebookSimulator, type FacebookSimulator, type FacebookSimulatorOptions } from '../../../../electron/platforms/facebook/simulator.ts';
import { assertLoopback } from '../../../support/platform-driver.ts';

let sim: FacebookSimulator | undefined;

afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function start(options: FacebookSimulatorOptions = {}): Promise<FacebookSimulator> {
  sim = await startFacebookSimulator(options);
  assertLoopback(sim.origin);
  return sim;
}

async function call(s: FacebookSimulator, method: string, path: string, init: { headers?: Record<string, string>; body?: string | Blob } = {}) {
  const res = await fetch(`${s.origin}${path}`, { method, ...(init.headers ? { headers: init.headers } : {}), ...(init.body === undefined ? {} : { body: init.body }) });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read by shape in the assertions
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
}

describe('Facebook simulator: resumable upload and Page video (§6.2)', () => {
  it('starts a session, takes bytes at file_offset, says where it stands, and publishes with the handle', async () => {
    const s = await start();
    const user = s.issueUserToken().access_token;
    const page = s.pages()[0]!.id;
    const file = Buffer.alloc(1000, 3);
    const q = new URLSearchParams({ file_name: 'a.mp4', file_length: '1000', file_type: 'video/mp4', access_token: user });
    const started = await call(s, 'POST', `${FACEBOOK_PATHS.uploads(s.appId)}?${q}`);
    expect(started.body.id).toMatch(/^upload:/);
    const session = FACEBOOK_PATHS.session(started.body.id);

    // The token must be in the header.
    expect((await call(s, 'POST', `${session}?access_token=${user}`, { headers: { file_offset: '0' }, body: new Blob([file.subarray(0, 400)]) })).body.error).toMatchObject({ code: 190, type: 'OAuthException', fbtrace_id: expect.any(String) });
    const auth = { Authorization: `OAuth ${user}` };
    expect((await call(s, 'POST', session, { headers: { ...auth, file_offset: '0' }, body: new Blob([file.subarray(0, 400)]) })).body).toEqual({ id: started.body.id, file_offset: '400' });
    expect((await call(s, 'GET', session, { headers: auth })).body).toEqual({ id: started.body.id, file_offset: '400' });
    // A wrong offset uploads nothing.
    expect((await call(s, 'POST', session, { headers: { ...auth, file_offset: '0' }, body: new Blob([file.subarray(400)]) })).body.error).toMatchObject({ code: 100, error_subcode: 1363037 });
    const done = await call(s, 'POST', session, { headers: { ...auth, file_offset: '400' }, body: new Blob([file.subarray(400)]) });
    expect(done.body.h).toMatch(/^2:/);

    // The video goes to the Page with the Page token, read with the user token.
    const pageInfo = await call(s, 'GET', `${FACEBOOK_PATHS.page(page)}?fields=access_token,tasks`, { headers: auth });
    expect(pageInfo.body.tasks).toContain('CREATE_CONTENT');
    const form = (token: string) => new URLSearchParams({ access_token: token, title: 'T', description: 'D', fbuploader_video_file_chunk: done.body.h }).toString();
    const formHeaders = { 'Content-Type': 'application/x-www-form-urlencoded' };
    expect((await call(s, 'POST', FACEBOOK_PATHS.videos(page), { headers: formHeaders, body: form(user) })).body.error.code).toBe(190);
    const video = await call(s, 'POST', FACEBOOK_PATHS.videos(page), { headers: formHeaders, body: form(pageInfo.body.access_token) });
    expect(video.body.id).toMatch(/^\d+$/);
    expect(s.feed()[0]).toMatchObject({ id: video.body.id, kind: 'video', title: 'T', message: 'D', sizeBytes: 1000 });
  });

  it('answers rate limits with code 32 and the time to regain access, and an expired token with 190/463', async () => {
    const s = await start({ faults: [{ kind: 'rate-limit', regainMinutes: 7 }, { kind: 'expired-token' }] });
    const user = s.issueUserToken().access_token;
    const path = `${FACEBOOK_PATHS.page(s.pages()[0]!.id)}?fields=access_token`;
    const limited = await call(s, 'GET', path, { headers: { Authorization: `OAuth ${user}` } });
    expect(limited.body.error).toMatchObject({ code: 32, type: 'OAuthException' });
    expect(JSON.parse(limited.headers.get('x-business-use-case-usage')!)).toEqual({ [s.pages()[0]!.id]: [expect.objectContaining({ estimated_time_to_regain_access: 7 })] });
    expect((await call(s, 'GET', path, { headers: { Authorization: `OAuth ${user}` } })).body.error).toMatchObject({ code: 190, error_subcode: 463 });
  });
});

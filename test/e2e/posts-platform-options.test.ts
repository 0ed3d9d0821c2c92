// The post editor's TikTok and YouTube settings in Chromium through the browser shell, with a
// TikTok simulator account connected (tokens in a real Secret Service): the editor offers exactly
// the audiences the account allows (creator_info), names the account and its longest video, says
// plainly when the account cannot post now and when TikTok has not audited the app, YouTube
// asks who may watch the video, holding back submission until someone chooses, and Facebook
// offers a Reel for a vertical video.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserShell, type BrowserShell } from '../../electron/host/server.ts';
import { startTikTokSimulator, type TikTokSimulator } from '../../electron/platforms/tiktok/simulator.ts';
import { openCore, type AirlockCore } from '../../electron/services/core.ts';
import { loadPolicy } from '../../electron/services/policy/policy.ts';
import { KeychainSecretStore } from '../../electron/services/vault/secret-store.ts';
import { artifactPath, launchChromium } from '../support/chromium.ts';
import { signInFirstAdmin } from '../support/core.ts';
import { startKeyringSession, type KeyringSession } from '../support/keyring-session.ts';
import { makeVideo } from '../support/video-fixtures.ts';

let keyring: KeyringSession;
let sim: TikTokSimulator;
let core: AirlockCore;
let shell: BrowserShell;
let browser: Browser;
let page: Page;
/** The core's clock, moved past creator_info's minute of caching where a test needs a fresh answer. */
let shiftMs = 0;
const clock = { now: () => new Date(Date.now() + shiftMs) };

async function seriousA11yProblems(): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name, exact: true });
const audience = () => page.getByLabel('Who can see this on TikTok');
const offered = () => audience().locator('option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
const summary = () => page.getByTestId('tiktok-account');

/** A new post for TikTok (and YouTube when asked) with the seeded video. */
async function newPost(platforms: string[]): Promise<void> {
  await nav('Posts').click();
  await page.getByRole('button', { name: /Write a new post/ }).click();
  await page.getByRole('heading', { name: 'New post' }).waitFor();
  await page.getByRole('textbox', { name: 'Caption', exact: true }).fill('The ferry leaves at nine');
  for (const name of platforms) await page.getByRole('checkbox', { name, exact: true }).check();
  await page.getByRole('button', { name: /^Video harbour\.mp4$/i }).click();
}

async function leaveEditor(): Promise<void> {
  await page.getByRole('button', { name: '← Back to posts' }).click();
  await page.getByRole('dialog', { name: 'Leave without saving?' }).getByRole('button', { name: 'Leave without saving' }).click();
  await page.getByRole('heading', { name: 'Posts' }).waitFor();
}

beforeAll(async () => {
  keyring = await startKeyringSession();
  sim = await startTikTokSimulator({
    rateLimits: false,
    accounts: [{ openId: 'open-harbour', username: 'harbourcity', nickname: 'Harbour City', isPrivate: true, privacyLevelOptions: ['FOLLOWER_OF_CREATOR', 'SELF_ONLY'], maxVideoPostDurationSec: 180 }],
  });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-e2e-post-options-'));
  const policyPath = path.join(dir, 'policy.json');
  await writeFile(policyPath, JSON.stringify({ policyVersion: 1, organisation: 'Harbour City Council', platforms: ['tiktok', 'youtube', 'facebook'], approval: { twoPerson: false } }));
  core = await openCore({
    shell: 'browser',
    version: '0.0.0-test',
    policy: await loadPolicy(policyPath),
    dataDir: path.join(dir, 'data'),
    clock,
    systemMediaRoots: false,
    allowLoopbackEgress: true,
    publisherIntervalMs: null,
    secretStore: new KeychainSecretStore({ service: 'Airlock-test-post-options-e2e' }),
  });
  await signInFirstAdmin(core);
  await core.vault.saveAppCredentials('tiktok', { clientId: sim.clientKey, clientSecret: sim.clientSecret });
  const tokens = sim.issueTokens('open-harbour');
  const now = Date.now();
  await core.connectAccount(
    { platform: 'tiktok', account_id: 'open-harbour', display_name: 'Harbour City (@harbourcity)', api_base: sim.origin, connected_by: 'Ada Admin', simulated: true },
    { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresAt: now + tokens.expires_in * 1000, refreshExpiresAt: now + tokens.refresh_expires_in * 1000, scopes: tokens.scope.split(',') },
  );
  // A cleaned video in the library, as an import leaves it.
  const clip = await makeVideo(dir, 'harbour');
  const temp = path.join(core.blobs.tmpDir, 'clip.mp4');
  await writeFile(temp, await readFile(clip));
  const blob = await core.blobs.adoptFile(temp);
  const sessionId = 'seed-post-options-e2e';
  const at = new Date().toISOString();
  await core.store.call('imports.begin', { id: sessionId, startedAt: at, sourcePath: '/seed', volume: null });
  await core.store.call('imports.commit', {
    sessionId,
    finishedAt: at,
    package: null,
    media: [{ id: 'media-harbour', kind: 'video', format: 'mp4', originalSha256: `${blob.sha256.slice(0, 63)}0`, originalName: 'harbour.mp4', cleanSha256: blob.sha256, cleanBytes: blob.bytes, thumbnailSha256: null, width: 720, height: 1280, durationMs: 5000, reportJson: '{"mediaKind":"video","findings":[],"warnings":[]}', importSessionId: sessionId, createdAt: at }],
    posts: [],
    acceptedCount: 1,
    rejectedCount: 0,
    resultJson: '{}',
  });
  shell = await startBrowserShell({ core });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(shell.url);
  await page.getByTestId('signed-in-as').waitFor();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await shell?.close();
  await core?.close();
  await sim?.stop();
  await keyring?.stop();
});

describe('the editor\'s TikTok and YouTube settings', () => {
  it('offers exactly the audiences the TikTok account allows, with its name and longest video', async () => {
    await newPost(['TikTok']);
    await summary().getByText('Posting as Harbour City (@harbourcity).').waitFor();
    expect(await summary().textContent()).toContain('Videos up to 3');
    // The account's own list, in place of TikTok's four: no "Everyone", no "Friends".
    expect(await offered()).toEqual(['', 'FOLLOWER_OF_CREATOR', 'SELF_ONLY']);
    expect(await audience().inputValue()).toBe('');
    await audience().selectOption('FOLLOWER_OF_CREATOR');
    await page.screenshot({ path: await artifactPath('editor-tiktok-account.png'), fullPage: true });
    expect(await seriousA11yProblems()).toEqual([]);
    await leaveEditor();
  });

  it('asks who can watch on YouTube and holds back submission until someone chooses', async () => {
    await newPost(['TikTok', 'YouTube']);
    await audience().selectOption('SELF_ONLY');
    await page.getByLabel('Title on YouTube').fill('Ferry times');
    const privacy = page.getByLabel('Who can watch this on YouTube');
    expect(await privacy.inputValue()).toBe('');
    expect(await privacy.locator('option').evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value))).toEqual(['', 'public', 'unlisted', 'private']);
    const submit = page.getByRole('button', { name: 'Submit for approval' });
    await page.getByText('Choose who can watch this video on YouTube. Airlock never picks this for you.').first().waitFor();
    expect(await submit.isEnabled()).toBe(false);
    await privacy.selectOption('unlisted');
    await expect.poll(() => submit.isEnabled()).toBe(true);
    await page.getByTestId('preview-youtube').getByText('Who can watch it on YouTube: Anyone with the link (unlisted)').waitFor();
    expect(await seriousA11yProblems()).toEqual([]);
    await leaveEditor();
  });

  it('offers a Facebook Reel, explains what a Reel must be, and saves the choice with the post', async () => {
    await newPost(['Facebook']);
    const format = page.getByLabel('How it goes on the Facebook Page');
    expect(await format.inputValue()).toBe('post');
    expect(await format.locator('option').evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value))).toEqual(['post', 'reel']);
    await format.selectOption('reel');
    await page.getByText('A Reel is one vertical 9:16 video of 3 to 90 seconds').waitFor();
    // The seeded video is 720 × 1280 and 5 seconds: a Reel as it is.
    const submit = page.getByRole('button', { name: 'Submit for approval' });
    await expect.poll(() => submit.isEnabled()).toBe(true);
    await page.screenshot({ path: await artifactPath('editor-facebook-reel.png'), fullPage: true });
    expect(await seriousA11yProblems()).toEqual([]);
    await page.getByRole('button', { name: 'Save draft' }).click();
    const saved = async () => (await core.store.call('posts.list', { limit: 20, offset: 0 })).map((row) => JSON.parse(String(row.options_json)) as Record<string, unknown>);
    await expect.poll(saved).toContainEqual({ facebook: { format: 'reel' } });
    await page.getByRole('button', { name: '← Back to posts' }).click();
    await page.getByRole('heading', { name: 'Posts' }).waitFor();
  });

  it('says plainly when TikTok says the account cannot post right now', async () => {
    shiftMs += 61_000;
    sim.injectFault({ kind: 'spam-risk', endpoint: 'creator_info', code: 'spam_risk_too_many_posts' });
    await newPost(['TikTok']);
    const notice = summary().getByRole('alert');
    await notice.waitFor();
    expect(await notice.textContent()).toContain('This TikTok account cannot post right now. It has reached its daily posting limit. Try again tomorrow.');
    await leaveEditor();
  });

  it('offers only "Only the account owner" once TikTok refused a post because the app is not audited', async () => {
    shiftMs += 61_000;
    core.events.emit('publish.result', {
      postId: 'post-earlier',
      platform: 'tiktok',
      ok: false,
      url: null,
      error: { code: 'publish.tiktok.unaudited_client_can_only_post_to_private_accounts', message: 'TikTok has not yet approved this organisation\'s app.' },
      waiting: false,
    });
    await newPost(['TikTok']);
    await summary().getByText(/has not yet approved \(audited\) this organisation's Airlock app/).waitFor();
    expect(await offered()).toEqual(['', 'SELF_ONLY']);
    await leaveEditor();
  });
});

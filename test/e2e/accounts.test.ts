// The Accounts screen in Chromium through the browser shell, with tokens in a real Secret
// Service: an administrator connects a TikTok simulator account through the sign-in popup, sees
// it working, publishes a post with it, then disconnects it after a confirmation naming it. The
// tokens the simulator issued must then appear nowhere: not in the data folder, not in anything
// Airlock logged, not in the browser profile on disk (cache, cookies, local storage, IndexedDB)
// and not in the page's own storage. The screen passes axe before and after connecting.
import AxeBuilder from '@axe-core/playwright';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostView } from '../../common/contract.ts';
import { startBrowserShell, type BrowserShell } from '../../electron/host/server.ts';
import { startTikTokSimulator, type TikTokSimulator } from '../../electron/platforms/tiktok/simulator.ts';
import { openCore, type AirlockCore } from '../../electron/services/core.ts';
import { loadPolicy } from '../../electron/services/policy/policy.ts';
import { KeychainSecretStore } from '../../electron/services/vault/secret-store.ts';
import { artifactPath, CHROMIUM_PATH } from '../support/chromium.ts';
import { signInFirstAdmin } from '../support/core.ts';
import { startKeyringSession, type KeyringSession } from '../support/keyring-session.ts';
import { makeVideo } from '../support/video-fixtures.ts';

let keyring: KeyringSession;
let sim: TikTokSimulator;
let core: AirlockCore;
let shell: BrowserShell;
let context: BrowserContext;
let page: Page;
let dir: string;
let dataDir: string;
let profileDir: string;
/** Everything this process wrote to stdout and stderr while the test ran: Airlock's logs. */
const logged: string[] = [];
const restoreOutput: Array<() => void> = [];
/** Every token (and the app secret) that reached Airlock, gathered as the test goes. */
const issued = new Set<string>();
/**
 * The authorization code. In the browser shell it stays in the browser's history like any
 * visited URL (the Electron shell catches the redirect before it loads, in a session kept in
 * memory), so what matters is that it is spent: it can never be exchanged again.
 */
let authorizationCode = '';

function capture(stream: NodeJS.WriteStream): void {
  const original = stream.write.bind(stream);
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    logged.push(Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
    return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof stream.write;
  restoreOutput.push(() => {
    stream.write = original as typeof stream.write;
  });
}

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/** Files under `root` holding any of `secrets` as bytes (UTF-8 and UTF-16LE, as Chromium stores some). */
async function filesContaining(root: string, secrets: Iterable<string>): Promise<string[]> {
  const spellings = [...secrets].flatMap((s) => [s, encodeURIComponent(s), new URLSearchParams({ v: s }).toString().slice(2), JSON.stringify(s).slice(1, -1)]);
  const needles = [...new Set(spellings)].flatMap((s) => [Buffer.from(s, 'utf8'), Buffer.from(s, 'utf16le')]);
  const hits: string[] = [];
  for (const file of await filesUnder(root)) {
    const bytes = await readFile(file).catch(() => null);
    if (bytes && needles.some((n) => bytes.includes(n))) hits.push(path.relative(root, file));
  }
  return hits;
}

async function seriousA11yProblems(): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function ok<T>(p: Promise<unknown>): Promise<T> {
  const r = (await p) as { ok: boolean; value?: T; error?: unknown };
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value as T;
}

const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name, exact: true });

beforeAll(async () => {
  capture(process.stdout);
  capture(process.stderr);
  keyring = await startKeyringSession();
  sim = await startTikTokSimulator({ consentPage: true, rateLimits: false, processing: { polls: 1, ms: 0, moderationPolls: 0, moderationMs: 0 }, accounts: [{ openId: 'open-harbour', username: 'harbourcity', nickname: 'Harbour City' }] });
  dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-accounts-e2e-'));
  dataDir = path.join(dir, 'data');
  profileDir = path.join(dir, 'chromium-profile');
  const policyPath = path.join(dir, 'policy.json');
  await writeFile(policyPath, JSON.stringify({ policyVersion: 1, platforms: ['tiktok', 'mastodon', 'bluesky'], approval: { twoPerson: false } }));
  core = await openCore({
    shell: 'browser',
    version: '0.0.0-test',
    policy: await loadPolicy(policyPath),
    dataDir,
    systemMediaRoots: false,
    allowLoopbackEgress: true,
    publisherIntervalMs: null,
    publishPollMs: 10,
    secretStore: new KeychainSecretStore({ service: 'Airlock-test-accounts-e2e' }),
    platformEndpoints: { tiktok: { authOrigin: sim.origin, apiOrigin: sim.origin } },
  });
  await signInFirstAdmin(core);
  // What IT does with `airlock credentials set-app tiktok`.
  await core.vault.saveAppCredentials('tiktok', { clientId: sim.clientKey, clientSecret: sim.clientSecret });
  issued.add(sim.clientSecret);
  shell = await startBrowserShell({ core });
  // A profile on disk, so its cache, cookies and storage can be searched afterwards.
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-default-apps', '--disable-domain-reliability', '--no-pings'],
    env: { ...process.env, HOME: dir },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
  await page.goto(shell.url);
  await page.getByTestId('signed-in-as').waitFor();
}, 120_000);

afterAll(async () => {
  for (const restore of restoreOutput.splice(0)) restore();
  await context?.close().catch(() => undefined);
  await shell?.close();
  await core?.close();
  await sim?.stop();
  await keyring?.stop();
});

describe('the Accounts screen', () => {
  it('shows no accounts yet, a Connect button per enabled platform, and passes axe', async () => {
    await nav('Accounts').click();
    await page.getByRole('heading', { name: 'Platform accounts', level: 1 }).waitFor();
    await page.getByTestId('accounts-empty').waitFor();
    await page.getByRole('button', { name: 'Connect a TikTok account' }).waitFor();
    await page.getByLabel("Your organisation's Mastodon server").waitFor();
    await page.getByLabel('App password').waitFor();
    expect(await seriousA11yProblems()).toEqual([]);
  });

  it('says plainly when access is not allowed on the consent page, and connects nothing', async () => {
    const popupOpened = context.waitForEvent('page');
    await page.getByRole('button', { name: 'Connect a TikTok account' }).click();
    const popup = await popupOpened;
    await page.getByRole('heading', { name: 'Waiting for the TikTok sign-in' }).waitFor();
    await popup.getByRole('button', { name: 'Cancel' }).click();
    await popup.getByRole('heading', { name: 'Not connected' }).waitFor();
    await popup.close();
    const notice = page.getByRole('alert').filter({ hasText: 'was not connected because access was not allowed' });
    await notice.waitFor();
    await notice.getByText('Details for IT').click();
    expect(await notice.textContent()).toContain('accounts.declined');
    await page.getByTestId('accounts-empty').waitFor();
  });

  it('connects a TikTok account through the sign-in popup and shows it working', async () => {
    const popupOpened = context.waitForEvent('page');
    await page.getByRole('button', { name: 'Connect a TikTok account' }).click();
    const popup = await popupOpened;
    // While the popup is open the screen says what it is waiting for, and can stop.
    await page.getByRole('heading', { name: 'Waiting for the TikTok sign-in' }).waitFor();
    await popup.getByRole('heading', { name: 'Authorize this app' }).waitFor();
    await popup.getByRole('button', { name: 'Authorize' }).click();
    await popup.getByRole('heading', { name: 'Signed in' }).waitFor();
    const callback = new URL(popup.url());
    expect(callback.hostname).toBe('127.0.0.1');
    authorizationCode = callback.searchParams.get('code')!;
    await popup.close();
    await page.getByTestId('connect-result').getByText('Connected Harbour City (@harbourcity).').waitFor();
    const row = page.getByTestId('account-tiktok');
    await row.getByRole('rowheader', { name: 'Harbour City (@harbourcity)' }).waitFor();
    expect(await row.getByRole('cell').nth(1).textContent()).toContain('Working');
    expect(await row.textContent()).toContain('user.info.basic, video.publish, video.upload');
    const creds = await core.vault.loadAccountCredentials('tiktok', 'open-harbour');
    issued.add(creds!.accessToken);
    issued.add(creds!.refreshToken!);
    await page.screenshot({ path: await artifactPath('accounts.png'), fullPage: true });
    expect(await seriousA11yProblems()).toEqual([]);
  });

  it('publishes a post with the connected account', async () => {
    const clip = await makeVideo(dir, 'harbour');
    const temp = path.join(core.blobs.tmpDir, 'clip.mp4');
    await writeFile(temp, await readFile(clip));
    const blob = await core.blobs.adoptFile(temp);
    const sessionId = 'seed-accounts-e2e';
    const now = new Date().toISOString();
    await core.store.call('imports.begin', { id: sessionId, startedAt: now, sourcePath: '/seed', volume: null });
    await core.store.call('imports.commit', {
      sessionId,
      finishedAt: now,
      package: null,
      media: [{ id: 'media-harbour', kind: 'video', format: 'mp4', originalSha256: `${blob.sha256.slice(0, 63)}0`, originalName: 'harbour.mp4', cleanSha256: blob.sha256, cleanBytes: blob.bytes, thumbnailSha256: null, width: 720, height: 1280, durationMs: 5000, reportJson: '{"mediaKind":"video","findings":[],"warnings":[]}', importSessionId: sessionId, createdAt: now }],
      posts: [],
      acceptedCount: 1,
      rejectedCount: 0,
      resultJson: '{}',
    });
    let post = await ok<PostView>(core.call('posts.create', { caption: 'Harbour open day on Saturday', targets: ['tiktok'], options: { tiktok: { privacyLevel: 'SELF_ONLY' } }, media: [{ mediaId: 'media-harbour', altText: 'The harbour' }] }));
    post = await ok<PostView>(core.call('posts.submit', { id: post.id, version: post.version }));
    post = await ok<PostView>(core.call('posts.approve', { id: post.id, version: post.version }));
    post = await ok<PostView>(core.call('posts.schedule', { id: post.id, version: post.version, at: 'now' }));
    for (let i = 0; i < 20 && post.state !== 'published' && post.state !== 'failed'; i++) {
      await core.publisher.tick();
      post = await ok<PostView>(core.call('posts.get', { id: post.id }));
    }
    expect(post.state).toBe('published');
    expect(sim.feed('open-harbour').map((p) => p.caption)).toEqual(['Harbour open day on Saturday']);
    // Whatever the publisher renewed is a token too.
    const creds = await core.vault.loadAccountCredentials('tiktok', 'open-harbour');
    issued.add(creds!.accessToken);
    issued.add(creds!.refreshToken!);
  });

  it('shows the last successful post and disconnects after a confirmation naming the account', async () => {
    await nav('Home').click();
    await nav('Accounts').click();
    const row = page.getByTestId('account-tiktok');
    await row.waitFor();
    expect(await row.getByRole('cell').nth(3).textContent()).not.toBe('Never');
    await row.getByRole('button', { name: 'Disconnect Harbour City (@harbourcity)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Disconnect Harbour City (@harbourcity)?' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('Airlock will ask TikTok to end its sign-in');
    await dialog.getByRole('button', { name: 'Disconnect Harbour City (@harbourcity)' }).click();
    await page.getByTestId('disconnect-result').getByText('Harbour City (@harbourcity) is disconnected and its sign-in was ended.').waitFor();
    await page.getByTestId('accounts-empty').waitFor();
    expect(sim.requests().filter((r) => r.endpoint === 'revoke').map((r) => r.status)).toEqual([200]);
    expect(await core.vault.loadAccountCredentials('tiktok', 'open-harbour')).toBeNull();
  });

  it('removes the account anyway when TikTok cannot confirm the revoke, and says so plainly', async () => {
    const popupOpened = context.waitForEvent('page');
    await page.getByRole('button', { name: 'Connect a TikTok account' }).click();
    const popup = await popupOpened;
    await popup.getByRole('button', { name: 'Authorize' }).click();
    await popup.getByRole('heading', { name: 'Signed in' }).waitFor();
    await popup.close();
    await page.getByTestId('account-tiktok').waitFor();
    const creds = await core.vault.loadAccountCredentials('tiktok', 'open-harbour');
    issued.add(creds!.accessToken);
    issued.add(creds!.refreshToken!);
    sim.injectFault({ kind: 'server-error', endpoint: 'revoke', status: 503 });
    await page.getByTestId('account-tiktok').getByRole('button', { name: 'Disconnect Harbour City (@harbourcity)' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Disconnect Harbour City (@harbourcity)' }).click();
    const result = page.getByTestId('disconnect-result');
    await result.getByText('Harbour City (@harbourcity) is removed from this kiosk.').waitFor();
    expect(await result.textContent()).toContain('TikTok did not confirm that it ended');
    expect(await result.getAttribute('role')).toBe('alert');
    await page.getByTestId('accounts-empty').waitFor();
    expect(await core.vault.loadAccountCredentials('tiktok', 'open-harbour')).toBeNull();
  });

  it('leaves no token anywhere: data folder, logs, the page\'s storage and the browser profile', async () => {
    const secrets = [...issued];
    expect(secrets.length).toBeGreaterThanOrEqual(3);
    expect(secrets.every((s) => s.length >= 16)).toBe(true);
    // The page's own storage, as the renderer sees it.
    const storage = await page.evaluate(async () => {
      const dbs = await indexedDB.databases();
      const cacheNames = await caches.keys();
      const cached: string[] = [];
      for (const name of cacheNames) for (const req of await (await caches.open(name)).keys()) cached.push(req.url);
      return JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie, dbs, cacheNames, cached, href: location.href });
    });
    const cookies = JSON.stringify(await context.cookies());
    // A control: a string the page itself stores must be found by the same search of the profile.
    const control = `scan-control-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    await page.evaluate((value) => localStorage.setItem('airlock-test-control', value), control);
    const leaksInPage = secrets.filter((s) => storage.includes(s) || cookies.includes(s));
    expect(leaksInPage).toEqual([]);
    await context.close();
    expect(await filesContaining(profileDir, [control])).not.toEqual([]);
    expect(await filesContaining(profileDir, secrets)).toEqual([]);
    expect((await filesUnder(dataDir)).length).toBeGreaterThan(0);
    expect(await filesContaining(dataDir, secrets)).toEqual([]);
    const replay = await fetch(`${sim.origin}/v2/oauth/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_key: sim.clientKey, client_secret: sim.clientSecret, code: authorizationCode, grant_type: 'authorization_code', redirect_uri: 'http://127.0.0.1:1/callback/' }),
    });
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { error: string }).error).toBe('invalid_grant');
    const log = logged.join('');
    expect(secrets.filter((s) => log.includes(s))).toEqual([]);
    const audit = JSON.stringify(await core.audit.list({ limit: 500 }));
    expect(audit).toContain('account.connected');
    expect(secrets.filter((s) => audit.includes(s))).toEqual([]);
  });
});

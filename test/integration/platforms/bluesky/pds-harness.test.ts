// Proves the loopback Bluesky stack is real enough to test publishing against: accounts, app
// passwords, blobs, image posts with alt text and facets, and genuine lexicon rejections (400).
// A guard on every outgoing socket fails the file if anything tries to leave 127.0.0.0/8.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { AtpAgent, RichText } from '@atproto/api';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBlueskyServer } from '../../../support/bluesky-pds.ts';
import type { BlueskyAccount, BlueskyServer } from '../../../support/bluesky-pds.ts';

// --- Network guard --------------------------------------------------------------------------
// Installed at module load, before any server exists. Every TCP client (http, undici's fetch,
// tls) funnels through Socket#connect, so a destination outside loopback is recorded and the
// socket destroyed before a packet leaves. DNS lookups are not sockets; a hostname other than
// localhost is treated as external before it is ever resolved.
const externalAttempts: string[] = [];
const loopbackConnections: string[] = [];
const originalConnect = net.Socket.prototype.connect;

function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1' || host === '[::1]') return true;
  const v4 = host.startsWith('::ffff:') ? host.slice('::ffff:'.length) : host;
  return net.isIPv4(v4) && v4.startsWith('127.');
}

function destinationOf(args: unknown[]): { host?: string; port?: unknown; path?: string } {
  const [first, second] = args;
  if (Array.isArray(first)) return destinationOf(first); // Node's internal normalized form
  if (typeof first === 'object' && first !== null) {
    const options = first as { host?: string; port?: unknown; path?: string };
    return options.path ? { path: options.path } : { host: options.host ?? 'localhost', port: options.port };
  }
  if (typeof first === 'string' && Number.isNaN(Number(first))) return { path: first };
  return { host: typeof second === 'string' ? second : 'localhost', port: first };
}

net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  const destination = destinationOf(args);
  if (destination.path === undefined) {
    const label = `${destination.host}:${String(destination.port)}`;
    if (!isLoopbackHost(destination.host ?? '')) {
      externalAttempts.push(label);
      process.nextTick(() => this.destroy(new Error(`Blocked connection outside loopback: ${label}`)));
      return this;
    }
    loopbackConnections.push(label);
  }
  return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof originalConnect;

// --- Fixtures -------------------------------------------------------------------------------
const POST = 'app.bsky.feed.post';

let server: BlueskyServer;
let alice: BlueskyAccount;
let png: Uint8Array;

beforeAll(async () => {
  server = await startBlueskyServer();
  const t = server.timings;
  console.log(
    `Bluesky test server ready in ${t.totalMs} ms (module load ${t.loadMs} ms, PLC ${t.plcStartMs} ms, PDS ${t.pdsStartMs} ms, ${t.pdsAttempts} attempt(s))`,
  );
  alice = await server.createAccount('alice', undefined, { appPassword: 'airlock-kiosk' });
  png = new Uint8Array(
    await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 20, g: 60, b: 160 } } })
      .png()
      .toBuffer(),
  );
});

afterAll(async () => {
  const stopping = performance.now();
  try {
    await server?.stop();
    console.log(`Bluesky test server stopped in ${Math.round(performance.now() - stopping)} ms`);
  } finally {
    net.Socket.prototype.connect = originalConnect;
  }
  if (externalAttempts.length > 0) {
    throw new Error(`Connections outside loopback were attempted: ${externalAttempts.join(', ')}`);
  }
});

async function loggedIn(identifier: string, password: string): Promise<AtpAgent> {
  const agent = new AtpAgent({ service: server.pdsUrl });
  await agent.login({ identifier, password });
  return agent;
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).byteLength;
}

// Blob refs come back either as @atproto/lexicon BlobRef objects or as their JSON form.
function blobCid(blob: unknown): string {
  const ref = (blob as { ref?: { $link?: string; toString(): string } }).ref;
  if (!ref) throw new Error(`Not a blob ref: ${JSON.stringify(blob)}`);
  return ref.$link ?? ref.toString();
}

function jwtPayload(jwt: string): Record<string, unknown> {
  const body = jwt.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
}

// --- Tests ----------------------------------------------------------------------------------
describe('loopback Bluesky server (real PLC + PDS)', () => {
  it('listens on 127.0.0.1 only, for both the PDS and the PLC directory', async () => {
    const expectLoopback = (address: AddressInfo): void => {
      expect(address.address).toBe('127.0.0.1');
      expect(address.family).toBe('IPv4');
    };
    expectLoopback(server.pdsAddress);
    expectLoopback(server.plcAddress);
    expect(new URL(server.pdsUrl).hostname).toBe('127.0.0.1');
    expect(new URL(server.plcUrl).hostname).toBe('127.0.0.1');

    const health = await fetch(`${server.pdsUrl}/xrpc/_health`);
    expect(health.status).toBe(200);
    const description = await new AtpAgent({ service: server.pdsUrl }).com.atproto.server.describeServer();
    expect(description.data.availableUserDomains).toEqual(['.test']);
    expect(description.data.inviteCodeRequired).toBe(false);
  });

  it('registers new accounts in the local PLC directory, pointing at this PDS', async () => {
    expect(alice.handle).toBe('alice.test');
    expect(alice.did).toMatch(/^did:plc:[a-z2-7]{24}$/);

    const response = await fetch(`${server.plcUrl}/${alice.did}`);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as { alsoKnownAs: string[]; service: { type: string; serviceEndpoint: string }[] };
    expect(doc.alsoKnownAs).toEqual(['at://alice.test']);
    expect(doc.service).toContainEqual(
      expect.objectContaining({ type: 'AtprotoPersonalDataServer', serviceEndpoint: server.pdsPublicUrl }),
    );
    expect(new URL(server.pdsPublicUrl).port).toBe(String(server.pdsAddress.port));
  });

  it('publishes an image post with alt text and a hashtag facet, and reads it back intact', async () => {
    const agent = await loggedIn(alice.handle, alice.password);
    const upload = await agent.uploadBlob(png, { encoding: 'image/png' });
    const blob = upload.data.blob;
    expect(blob.mimeType).toBe('image/png');
    expect(blob.size).toBe(png.byteLength);

    // Non-ASCII before the tag, so UTF-8 byte offsets differ from JavaScript string indices.
    const text = 'Grüße aus dem Rathaus 🏛️ #Airlock heute';
    const rt = new RichText({ text });
    rt.detectFacetsWithoutResolution(); // tags need no lookup; mentions would
    const byteStart = utf8Length(text.slice(0, text.indexOf('#Airlock')));
    const byteEnd = byteStart + utf8Length('#Airlock');
    expect(byteStart).not.toBe(text.indexOf('#Airlock'));
    expect(rt.facets).toEqual([
      { index: { byteStart, byteEnd }, features: [{ $type: 'app.bsky.richtext.facet#tag', tag: 'Airlock' }] },
    ]);

    const alt = 'Blue test card, 64 by 48 pixels';
    const created = await agent.com.atproto.repo.createRecord({
      repo: alice.did,
      collection: POST,
      record: {
        $type: POST,
        text: rt.text,
        facets: rt.facets,
        langs: ['de'],
        createdAt: new Date().toISOString(),
        embed: { $type: 'app.bsky.embed.images', images: [{ image: blob, alt, aspectRatio: { width: 64, height: 48 } }] },
      },
    });
    expect(created.data.validationStatus).toBe('valid');
    expect(created.data.uri).toMatch(new RegExp(`^at://${alice.did}/${POST}/`));

    const rkey = created.data.uri.split('/').pop()!;
    const read = await agent.com.atproto.repo.getRecord({ repo: alice.did, collection: POST, rkey });
    expect(read.data.cid).toBe(created.data.cid);
    const value = read.data.value as {
      text: string;
      facets: { index: { byteStart: number; byteEnd: number }; features: { $type: string; tag?: string }[] }[];
      embed: { $type: string; images: { alt: string; image: unknown; aspectRatio: unknown }[] };
    };
    expect(value.text).toBe(text);
    expect(value.facets).toHaveLength(1);
    expect(value.facets[0]!.index).toEqual({ byteStart, byteEnd });
    expect(value.facets[0]!.features).toEqual([{ $type: 'app.bsky.richtext.facet#tag', tag: 'Airlock' }]);
    // The facet must cover exactly "#Airlock" in the UTF-8 bytes the server stored.
    const bytes = new TextEncoder().encode(value.text);
    expect(new TextDecoder().decode(bytes.slice(byteStart, byteEnd))).toBe('#Airlock');
    expect(value.embed.$type).toBe('app.bsky.embed.images');
    expect(value.embed.images).toHaveLength(1);
    expect(value.embed.images[0]!.alt).toBe(alt);
    expect(value.embed.images[0]!.aspectRatio).toEqual({ width: 64, height: 48 });
    expect(blobCid(value.embed.images[0]!.image)).toBe(blobCid(blob));

    // The blob is now referenced by a record and served back byte for byte from the disk store.
    const fetched = await agent.com.atproto.sync.getBlob({ did: alice.did, cid: blobCid(blob) });
    expect(Buffer.from(fetched.data).equals(Buffer.from(png))).toBe(true);
  });

  it('rejects a post over 300 graphemes with 400, counting graphemes rather than code units', async () => {
    const agent = await loggedIn(alice.handle, alice.password);
    const post = (text: string) =>
      agent.com.atproto.repo.createRecord({
        repo: alice.did,
        collection: POST,
        record: { $type: POST, text, createdAt: new Date().toISOString() },
      });
    // A skin-toned emoji is one grapheme, two code points, four UTF-16 units and eight bytes.
    const thumb = '👍🏽';
    const atLimit = thumb.repeat(300);
    expect(atLimit.length).toBe(1200);
    expect(utf8Length(thumb.repeat(301))).toBeLessThan(3000); // so only the grapheme limit can bite
    await expect(post(atLimit)).resolves.toMatchObject({ data: { validationStatus: 'valid' } });
    // The PDS reports lexicon failures as a generic InvalidRequest; the message names the rule.
    const tooLong = { status: 400, error: 'InvalidRequest', message: expect.stringMatching(/grapheme too big \(maximum 300, got 301\)/) };
    await expect(post(thumb.repeat(301))).rejects.toMatchObject(tooLong);
    await expect(post('a'.repeat(301))).rejects.toMatchObject(tooLong);
  });

  it('rejects an image embed without alt with 400 (while an empty alt passes the lexicon)', async () => {
    const agent = await loggedIn(alice.handle, alice.password);
    const { blob } = (await agent.uploadBlob(png, { encoding: 'image/png' })).data;
    const postWithImage = (image: Record<string, unknown>) =>
      agent.com.atproto.repo.createRecord({
        repo: alice.did,
        collection: POST,
        record: {
          $type: POST,
          text: 'Bild',
          createdAt: new Date().toISOString(),
          embed: { $type: 'app.bsky.embed.images', images: [image] },
        },
      });
    await expect(postWithImage({ image: blob })).rejects.toMatchObject({
      status: 400,
      error: 'InvalidRequest',
      message: expect.stringMatching(/Missing required key "alt" at \$\.record\.embed\.images\[0\]/),
    });
    // The lexicon only requires alt to be a string: the server will not stop an empty
    // description, so Airlock has to enforce meaningful alt text itself.
    await expect(postWithImage({ image: blob, alt: '' })).resolves.toMatchObject({ data: { validationStatus: 'valid' } });
  });

  it('creates an app password and publishes through a session opened with it', async () => {
    // The harness minted one at account creation through com.atproto.server.createAppPassword.
    expect(alice.appPassword).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);

    const owner = await loggedIn(alice.handle, alice.password);
    const minted = await owner.com.atproto.server.createAppPassword({ name: 'second-kiosk' });
    const listed = await owner.com.atproto.server.listAppPasswords();
    expect(listed.data.passwords.map((p) => p.name).sort()).toEqual(['airlock-kiosk', 'second-kiosk']);

    for (const appPassword of [alice.appPassword!, minted.data.password]) {
      const agent = new AtpAgent({ service: server.pdsUrl });
      const session = await agent.login({ identifier: alice.handle, password: appPassword });
      expect(session.data.did).toBe(alice.did);
      expect(jwtPayload(session.data.accessJwt).scope).toBe('com.atproto.appPass');
      const created = await agent.com.atproto.repo.createRecord({
        repo: alice.did,
        collection: POST,
        record: { $type: POST, text: 'Posted with an app password', createdAt: new Date().toISOString() },
      });
      expect(created.data.validationStatus).toBe('valid');
    }

    // App passwords may not mint further app passwords; only the main password can.
    const restricted = await loggedIn(alice.handle, minted.data.password);
    await expect(restricted.com.atproto.server.createAppPassword({ name: 'nope' })).rejects.toMatchObject({ status: 400 });
    await expect(new AtpAgent({ service: server.pdsUrl }).login({ identifier: alice.handle, password: 'wrong-password' }))
      .rejects.toMatchObject({ status: 401 });
  });

  it('retries on a fresh port when the one it picked is taken before the PDS binds it', async () => {
    const squatters: net.Server[] = [];
    const second = await startBlueskyServer({
      beforePdsListen: async (port) => {
        if (squatters.length > 0) return;
        const squatter = net.createServer();
        squatters.push(squatter);
        await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
      },
    });
    try {
      expect(second.timings.pdsAttempts).toBe(2);
      expect(second.pdsAddress.address).toBe('127.0.0.1');
      expect(second.pdsAddress.port).not.toBe((squatters[0]!.address() as AddressInfo).port);
      const bob = await second.createAccount('bob');
      const agent = new AtpAgent({ service: second.pdsUrl });
      await agent.login({ identifier: bob.handle, password: bob.password });
      expect(agent.session?.did).toBe(bob.did);
    } finally {
      await second.stop();
      await Promise.all(squatters.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    }
  });

  it('explains a PDS that cannot load its SQLite driver instead of failing deep inside it', async () => {
    // Stands in for the real failure seen with better-sqlite3 12 built against Node 20's ABI.
    const abiMessage = 'The module was compiled against a different Node.js version using NODE_MODULE_VERSION 115. This version of Node.js requires NODE_MODULE_VERSION 127.';
    vi.resetModules();
    vi.doMock('better-sqlite3', () => ({
      default: class {
        constructor() {
          throw new Error(abiMessage);
        }
      },
    }));
    try {
      const fresh = await import('../../../support/bluesky-pds.ts');
      const failure = fresh.startBlueskyServer();
      await expect(failure).rejects.toBeInstanceOf(fresh.BlueskyHarnessError);
      await expect(failure).rejects.toThrow(/better-sqlite3 cannot load under Node v22.*NODE_MODULE_VERSION 115.*overrides/);
    } finally {
      vi.doUnmock('better-sqlite3');
      vi.resetModules();
    }
  });

  it('made no connection outside loopback', () => {
    // The suite never dials anything but 127.0.0.1, not even to prove the guard: the guard is a
    // safety net, and a broken net must not be tested by falling through it.
    expect(loopbackConnections.length).toBeGreaterThan(0);
    expect(externalAttempts).toEqual([]);
  });
});

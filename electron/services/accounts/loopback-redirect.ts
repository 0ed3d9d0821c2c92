// The OAuth redirect for a native app (RFC 8252 §7.3): a listener on 127.0.0.1 at a port the
// system picks, for one connect only. It accepts exactly one callback on its path whose `state`
// matches, answers the browser with a short page, and closes; anything after that finds no one
// listening. It also closes when its time is up or the connect is cancelled.
// The listener only accepts a request from the kiosk's own browser window; it never connects out,
// which is why the egress rule against raw network modules does not apply to it.
// eslint-disable-next-line no-restricted-imports -- an inbound listener on 127.0.0.1, not egress
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
// eslint-disable-next-line no-restricted-imports -- a type only, for the listener's port
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { AirlockError } from '../../../common/errors.ts';

export type RedirectOutcome =
  | { kind: 'code'; code: string }
  /** The platform said no (the person declined, or the request was wrong): RFC 6749 §4.1.2.1. */
  | { kind: 'denied'; error: string; description: string | null };

export interface LoopbackRedirect {
  /** `http://127.0.0.1:<port><path>`, exactly as sent to the platform. */
  redirectUri: string;
  port: number;
  /** Settles once: with the callback, or rejected when cancelled, timed out or closed. */
  outcome: Promise<RedirectOutcome>;
  /**
   * Hands over a callback URL the shell's sign-in window caught before loading it, with the same
   * checks (path, state, once, in time) as a request to the listener.
   */
  deliver(url: string): Answer;
  /** Stops listening; an outcome not yet settled is rejected with `reason`. */
  close(reason?: AirlockError): void;
  readonly closed: boolean;
}

export interface Answer {
  status: number;
  title: string;
  text: string;
}

export interface LoopbackRedirectOptions {
  /** The path the platform redirects to, e.g. `/callback/`. */
  path: string;
  /** 0 or absent: a port the system picks. */
  port?: number;
  state: string;
  /** Gives up after this long (real time). */
  timeoutMs: number;
  /** Checked when the callback arrives; true means the connect has expired by the clock. */
  expired?: () => boolean;
}

const PAGE_STYLE = 'body{font:18px/1.5 system-ui,sans-serif;max-width:32em;margin:3em auto;padding:0 1em;color:#1b1b1b}';

function page(res: ServerResponse, status: number, title: string, text: string): void {
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title><style>${PAGE_STYLE}</style></head><body><main><h1>${title}</h1><p>${text}</p></main></body></html>`;
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
    Connection: 'close',
  });
  res.end(body);
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export const CONNECT_TIMED_OUT = (): AirlockError =>
  new AirlockError('accounts.connect-expired', 'The sign-in took too long, so Airlock stopped waiting. Start connecting again.', 'the loopback redirect listener closed before a valid callback arrived');

export async function startLoopbackRedirect(options: LoopbackRedirectOptions): Promise<LoopbackRedirect> {
  let settle!: { resolve: (o: RedirectOutcome) => void; reject: (e: AirlockError) => void };
  const outcome = new Promise<RedirectOutcome>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // Nobody may be waiting yet; the rejection is still delivered to whoever awaits later.
  outcome.catch(() => undefined);
  let done = false;
  let closed = false;

  /** The answer to one request on the listener, or to a callback the shell's window caught. */
  const answer = (url: URL): Answer => {
    if (url.pathname !== options.path) return { status: 404, title: 'Not found', text: 'This address is only used while Airlock connects an account.' };
    if (done) return { status: 410, title: 'Already used', text: 'This sign-in link has already been used. Go back to Airlock.' };
    const state = url.searchParams.get('state') ?? '';
    if (!sameText(state, options.state)) {
      // A callback that did not start here (cross-site request forgery, RFC 6749 §10.12). It is
      // refused without ending the connect, so a stray request cannot cancel a real sign-in.
      return { status: 400, title: 'Not accepted', text: 'This sign-in did not start from this Airlock window, so it was ignored.' };
    }
    done = true;
    if (options.expired?.()) {
      finish(CONNECT_TIMED_OUT());
      return { status: 410, title: 'Too late', text: 'This sign-in took too long. Go back to Airlock and start connecting again.' };
    }
    const code = url.searchParams.get('code');
    const error = url.searchParams.get('error');
    if (code) {
      finish(null, { kind: 'code', code });
      return { status: 200, title: 'Signed in', text: 'Airlock has the sign-in. You can close this window and go back to Airlock.' };
    }
    finish(null, { kind: 'denied', error: error ?? 'missing_code', description: url.searchParams.get('error_description') });
    return { status: 200, title: 'Not connected', text: 'The account was not connected. You can close this window and go back to Airlock.' };
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const a = req.method === 'GET' ? answer(url) : { status: 405, title: 'Not allowed', text: 'This address only takes the sign-in redirect.' };
    page(res, a.status, a.title, a.text);
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;

  const timer = setTimeout(() => finish(CONNECT_TIMED_OUT()), options.timeoutMs);
  timer.unref();

  function finish(err: AirlockError | null, value?: RedirectOutcome): void {
    clearTimeout(timer);
    if (!closed) {
      closed = true;
      // Stops accepting at once; the page being sent still reaches the browser, and its
      // connection ends with it (Connection: close), so no second request can follow on it.
      server.close();
      server.closeIdleConnections();
    }
    if (err) settle.reject(err);
    else if (value) settle.resolve(value);
  }

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    clearTimeout(timer);
    const busy = (err as { code?: string }).code === 'EADDRINUSE';
    throw new AirlockError(
      busy ? 'accounts.redirect-busy' : 'accounts.redirect-failed',
      busy ? 'Another sign-in for this platform is still waiting. Finish or stop it first, then try again.' : 'Airlock could not get ready for the sign-in. Try again; if it keeps happening, ask IT to look at the details.',
      `listen on 127.0.0.1:${options.port ?? 0}: ${(err as Error).message}`,
    );
  }
  const { port } = server.address() as AddressInfo;
  return {
    redirectUri: `http://127.0.0.1:${port}${options.path}`,
    port,
    outcome,
    deliver: (raw) => {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        return { status: 400, title: 'Not accepted', text: 'That was not a sign-in address.' };
      }
      if (url.origin !== `http://127.0.0.1:${port}`) return { status: 400, title: 'Not accepted', text: 'That was not this sign-in\'s address.' };
      return answer(url);
    },
    close: (reason) => finish(reason ?? new AirlockError('accounts.connect-cancelled', 'Connecting was cancelled. Nothing was saved.')),
    get closed() {
      return closed;
    },
  };
}

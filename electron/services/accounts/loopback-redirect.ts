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
  /** Stops listening; an outcome not yet settled is rejected with `reason`. */
  close(reason?: AirlockError): void;
  readonly closed: boolean;
}

export interface LoopbackRedirectOptions {
  /** The path the platform redirects to, e.g. `/callback/`. */
  path: string;
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

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== options.path) {
      page(res, 404, 'Not found', 'This address is only used while Airlock connects an account.');
      return;
    }
    if (done) {
      page(res, 410, 'Already used', 'This sign-in link has already been used. Go back to Airlock.');
      return;
    }
    const state = url.searchParams.get('state') ?? '';
    if (!sameText(state, options.state)) {
      // A callback that did not start here (cross-site request forgery, RFC 6749 §10.12). It is
      // refused without ending the connect, so a stray request cannot cancel a real sign-in.
      page(res, 400, 'Not accepted', 'This sign-in did not start from this Airlock window, so it was ignored.');
      return;
    }
    done = true;
    if (options.expired?.()) {
      page(res, 410, 'Too late', 'This sign-in took too long. Go back to Airlock and start connecting again.');
      finish(CONNECT_TIMED_OUT());
      return;
    }
    const code = url.searchParams.get('code');
    const error = url.searchParams.get('error');
    if (code) {
      page(res, 200, 'Signed in', 'Airlock has the sign-in. You can close this window and go back to Airlock.');
      finish(null, { kind: 'code', code });
    } else {
      page(res, 200, 'Not connected', 'The account was not connected. You can close this window and go back to Airlock.');
      finish(null, { kind: 'denied', error: error ?? 'missing_code', description: url.searchParams.get('error_description') });
    }
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

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    redirectUri: `http://127.0.0.1:${port}${options.path}`,
    port,
    outcome,
    close: (reason) => finish(reason ?? new AirlockError('accounts.connect-cancelled', 'Connecting was cancelled. Nothing was saved.')),
    get closed() {
      return closed;
    },
  };
}

// Airlock browser shell bridge: provides window.airlock over HTTP and server-sent events, the
// same object the Electron preload exposes. The per-launch key arrives in the URL fragment
// (never sent to the server, never logged) and is kept only in this tab's sessionStorage.
(() => {
  'use strict';
  const KEY_STORE = 'airlock.key';
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  const fromUrl = fragment.get('key');
  if (fromUrl) {
    window.sessionStorage.setItem(KEY_STORE, fromUrl);
    fragment.delete('key');
    const rest = fragment.toString();
    window.history.replaceState(null, '', window.location.pathname + window.location.search + (rest ? `#${rest}` : ''));
  }
  const key = window.sessionStorage.getItem(KEY_STORE) || '';

  const unauthorised = {
    ok: false,
    error: {
      code: 'api.unauthorised',
      message: 'This window is not connected to Airlock. Open the address Airlock printed when it started.',
    },
  };

  // The cookie that lets <img> and <video> load library files; calls wait for it so that no
  // screen can show a picture before it may load.
  const session = key
    ? fetch('/_airlock/session', { method: 'POST', headers: { authorization: `Bearer ${key}` }, cache: 'no-store' }).catch(() => {})
    : Promise.resolve();

  async function invoke(method, args) {
    await session;
    if (typeof method !== 'string') return { ok: false, error: { code: 'api.unknown-method', message: 'Unknown request.' } };
    try {
      const response = await fetch(`/_airlock/api/${encodeURIComponent(method)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify(args === undefined ? {} : args),
        cache: 'no-store',
      });
      if (response.status === 401) return unauthorised;
      return await response.json();
    } catch (err) {
      return {
        ok: false,
        error: {
          code: 'api.unreachable',
          message: 'Airlock is not responding. It may have been closed; start it again.',
          detail: String(err),
        },
      };
    }
  }

  const listeners = new Set();

  // EventSource cannot send an Authorization header, so the stream is read with fetch.
  async function stream() {
    for (;;) {
      try {
        const response = await fetch('/_airlock/events', { headers: { authorization: `Bearer ${key}` }, cache: 'no-store' });
        if (response.status === 401 || !response.body) return;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let cut;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const data = block
              .split('\n')
              .filter((line) => line.startsWith('data:'))
              .map((line) => line.slice(5).trimStart())
              .join('\n');
            if (!data) continue;
            const event = JSON.parse(data);
            for (const listener of [...listeners]) listener(event);
          }
        }
      } catch {
        // The shell restarted or the connection dropped: retry shortly.
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  function subscribe(listener) {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  // Connect at once, as the Electron shell's channel is, so early events are not missed; and
  // fetch the cookie that lets <img> and <video> load library files.
  if (key) void stream();

  Object.defineProperty(window, 'airlock', {
    value: Object.freeze({ invoke, subscribe }),
    writable: false,
    configurable: false,
    enumerable: true,
  });
})();

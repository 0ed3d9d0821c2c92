// The safety net for egress tests: while installed, every net.Socket connect is recorded, and
// any destination outside 127.0.0.0/8 is refused before the real connect runs, so not even a
// bug in the guard can send a packet off this machine. Tests assert the violation list is empty.
import net from 'node:net';

export interface ConnectAttempt {
  host: string;
  port: string;
}

export interface SocketSpy {
  readonly attempts: ConnectAttempt[];
  readonly violations: ConnectAttempt[];
  restore(): void;
}

function destinationOf(args: unknown[]): ConnectAttempt {
  // net.connect passes one pre-normalised array; direct calls use (options), (port, host) or (path).
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  if (typeof first === 'object' && first !== null) {
    const options = first as { host?: unknown; port?: unknown; path?: unknown };
    // The HTTP agent passes `path: null` for TCP; only a real path means a pipe or Unix socket.
    if (options.path !== undefined && options.path !== null) return { host: `pipe:${String(options.path)}`, port: '' };
    return { host: options.host === undefined ? 'localhost' : String(options.host), port: String(options.port) };
  }
  if (typeof first === 'string' && Number.isNaN(Number(first))) return { host: `pipe:${first}`, port: '' };
  const host = typeof args[1] === 'string' ? args[1] : 'localhost';
  return { host, port: String(first) };
}

function isLoopbackV4(host: string): boolean {
  return net.isIPv4(host) && host.startsWith('127.');
}

export function installSocketSpy(): SocketSpy {
  const original = net.Socket.prototype.connect;
  const attempts: ConnectAttempt[] = [];
  const violations: ConnectAttempt[] = [];
  const spy = function (this: net.Socket, ...args: unknown[]): net.Socket {
    const destination = destinationOf(args);
    attempts.push(destination);
    if (!isLoopbackV4(destination.host)) {
      violations.push(destination);
      process.nextTick(() => this.destroy(new Error(`test socket spy refused a connection to ${destination.host}:${destination.port}`)));
      return this;
    }
    return (original as (...a: unknown[]) => net.Socket).apply(this, args);
  };
  net.Socket.prototype.connect = spy as typeof original;
  return {
    attempts,
    violations,
    restore() {
      net.Socket.prototype.connect = original;
    },
  };
}

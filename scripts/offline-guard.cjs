// Preloaded (`node --require`) into third-party tools Airlock runs during checks, so they
// cannot reach the internet: the `got` HTTP client fails at once, and any socket to a
// non-loopback address is refused before a packet is sent. Checks must be offline and repeatable.
'use strict';
const Module = require('node:module');
const net = require('node:net');

const refused = (what) => Object.assign(new Error(`offline: ${what} refused (Airlock checks run without network)`), { code: 'EAIRLOCKOFFLINE' });

const originalLoad = Module._load;
Module._load = function load(request, parent, isMain) {
  if (request === 'got') {
    const fail = () => Promise.reject(refused('HTTP request'));
    return Object.assign(fail, { default: fail, head: fail, get: fail, post: fail, extend: () => fail });
  }
  return originalLoad.call(this, request, parent, isMain);
};

const isLoopback = (host) => host === 'localhost' || (net.isIP(host) === 4 && host.startsWith('127.')) || host === '::1';
const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function connect(...args) {
  const options = typeof args[0] === 'object' && args[0] !== null ? args[0] : { port: args[0], host: args[1] };
  if (!options.path && !isLoopback(String(options.host ?? 'localhost'))) {
    process.nextTick(() => this.destroy(refused(`connection to ${options.host}`)));
    return this;
  }
  return originalConnect.apply(this, args);
};

// Loaded into every test process and every child process a test starts (through NODE_OPTIONS):
// any TCP connection to a non-loopback address fails loudly, so no test can reach the internet
// or a real Google endpoint by accident.
import net from 'node:net';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost', '::ffff:127.0.0.1']);

function targetOf(args) {
  const [first, second] = args;
  if (first && typeof first === 'object') {
    if (Array.isArray(first)) return targetOf(first);
    if (first.path) return { local: true };
    return { host: first.host ?? 'localhost', port: first.port };
  }
  if (typeof first === 'string' && isNaN(Number(first))) return { local: true }; // unix socket path
  return { host: typeof second === 'string' ? second : 'localhost', port: first };
}

const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const target = targetOf(args);
  if (!target.local && !LOOPBACK.has(String(target.host))) {
    const err = new Error(`no-network guard: connection to ${target.host}:${target.port} refused (tests may only use 127.0.0.1)`);
    err.code = 'ENETUNREACH';
    process.nextTick(() => this.destroy(err));
    return this;
  }
  return originalConnect.apply(this, args);
};

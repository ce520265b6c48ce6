// Loaded (through NODE_OPTIONS) into a CLI process that should behave as on a machine with no network
// at all: a host name fails to resolve (getaddrinfo EAI_AGAIN, what Node reports without DNS) and an
// address other than loopback is unreachable (ENETUNREACH). Unlike the no-network guard, which
// refuses every connection the same way, this reproduces the mix of errors a real offline machine
// gives — the one that makes Google's metadata-server probe print a MetadataLookupWarning.
import net from 'node:net';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost', '::ffff:127.0.0.1']);

function hostOf(args) {
  const [first, second] = args;
  if (first && typeof first === 'object') {
    if (Array.isArray(first)) return hostOf(first);
    if (first.path) return undefined;
    return first.host ?? 'localhost';
  }
  if (typeof first === 'string' && isNaN(Number(first))) return undefined; // unix socket path
  return typeof second === 'string' ? second : 'localhost';
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function offlineConnect(...args) {
  const host = hostOf(args);
  if (host !== undefined && !LOOPBACK.has(String(host))) {
    const resolvable = net.isIP(String(host)) !== 0;
    const err = resolvable
      ? Object.assign(new Error(`connect ENETUNREACH ${host}`), { code: 'ENETUNREACH', syscall: 'connect', address: host })
      : Object.assign(new Error(`getaddrinfo EAI_AGAIN ${host}`), { code: 'EAI_AGAIN', syscall: 'getaddrinfo', hostname: host });
    process.nextTick(() => this.destroy(err));
    return this;
  }
  return connect.apply(this, args);
};

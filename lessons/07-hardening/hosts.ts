/**
 * The `Host` allow-list, against DNS rebinding: a page of `attacker.example` whose name the
 * attacker later points at 127.0.0.1 can send requests to a server on this machine, and read
 * the answers, because to the browser they are its own origin. Only the `Host` header
 * betrays them: it says `attacker.example`. So a request whose `Host` names a host this server
 * does not answer for is refused, before anything else runs.
 *
 * @module
 */
import type { RequestHandler } from 'express';
import { networkInterfaces } from 'node:os';

/** The names every loopback address answers to. */
const loopbackNames = ['localhost', '127.0.0.1', '[::1]'];

/** Whether `address` is a loopback address (127.0.0.0/8, ::1, or IPv4 127.x mapped into IPv6). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/i.test(address) || address === 'localhost';
}

/** A host name as `req.hostname` gives it: lower case, an IPv6 address in brackets. */
function asHostname(host: string): string {
  const lower = host.toLowerCase();
  return lower.includes(':') && !lower.startsWith('[') ? `[${lower}]` : lower;
}

/**
 * The host names a server listening on `apiHost` answers for: that address; for a loopback
 * address also `localhost` and the other loopback names; for every interface (`0.0.0.0`,
 * `::`) every address of this machine.
 *
 * @example
 * listeningHosts('127.0.0.1'); // ['localhost', '127.0.0.1', '[::1]']
 * listeningHosts('192.168.1.20'); // ['192.168.1.20']
 */
export function listeningHosts(apiHost: string): string[] {
  if (apiHost === '0.0.0.0' || apiHost === '::') {
    const addresses = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((one) => one.address));
    return [...new Set([...loopbackNames, ...addresses.map(asHostname)])];
  }
  if (isLoopbackAddress(apiHost)) return [...new Set([...loopbackNames, asHostname(apiHost)])];
  return [asHostname(apiHost)];
}

/**
 * Refuses, with 421 `{"error": "Misdirected Request"}`, every request whose `Host` (without
 * its port) is not one of `hosts`. Behind a proxy Express trusts (`TRUST_PROXY`), the name is
 * the proxy's `X-Forwarded-Host`.
 *
 * @example
 * app.use(allowHosts(listeningHosts(config.apiHost)));
 */
export function allowHosts(hosts: readonly string[]): RequestHandler {
  const allowed = new Set(hosts.map(asHostname));
  return (req, res, next) => {
    // req.hostname: the Host header without its port (undefined when there is none).
    if (req.hostname !== undefined && allowed.has(req.hostname.toLowerCase())) return next();
    res.status(421).json({ error: 'Misdirected Request' });
  };
}

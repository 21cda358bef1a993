import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/**
 * Whether an IP address is one a page fetched for a model must not reach:
 * loopback, private networks, link-local (cloud metadata at 169.254.169.254),
 * carrier-grade NAT, multicast and reserved ranges, in IPv4 and IPv6 (with
 * IPv4-mapped and NAT64 forms read as the IPv4 address they carry).
 */
export function isPrivateAddress(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const version = isIP(ip);
  if (version === 4) return isPrivateIPv4(ipv4Octets(ip));
  if (version === 6) return isPrivateIPv6(ipv6Groups(ip));
  return false;
}

function ipv4Octets(ip: string): number[] {
  return ip.split('.').map(Number);
}

function isPrivateIPv4([a = 0, b = 0, c = 0]: number[]): boolean {
  return (
    a === 0 || // "this" network
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT
    (a === 169 && b === 254) || // link-local, cloud metadata
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0 && c === 0) || // IETF protocol assignments
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    a >= 224 // multicast, reserved, broadcast
  );
}

/** The eight 16-bit groups of an IPv6 address (an embedded dotted IPv4 tail is converted). */
function ipv6Groups(ip: string): number[] {
  let text = ip.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a = 0, b = 0, c = 0, d = 0] = ipv4Octets(dotted[1]!);
    text = text.slice(0, dotted.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  return [...headGroups, ...Array<string>(Math.max(0, missing)).fill('0'), ...tailGroups].map((group) => parseInt(group, 16) || 0);
}

function isPrivateIPv6(groups: number[]): boolean {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = groups;
  const embeddedV4 = [g6 >> 8, g6 & 0xff, g7 >> 8, g7 & 0xff];
  const firstFiveZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (firstFiveZero && g5 === 0xffff) return isPrivateIPv4(embeddedV4); // ::ffff:a.b.c.d
  if (firstFiveZero && g5 === 0) return true; // ::, ::1 and the deprecated ::a.b.c.d
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return isPrivateIPv4(embeddedV4); // NAT64
  return (
    (g0 & 0xfe00) === 0xfc00 || // unique local
    (g0 & 0xffc0) === 0xfe80 || // link-local
    (g0 & 0xff00) === 0xff00 // multicast
  );
}

/**
 * Resolves the URL's host and returns the first private address it maps to,
 * or undefined when every address is public. A lookup that fails returns
 * undefined too: fetch then reports the failure in its own words.
 *
 * The check runs before each request and each redirect. It does not pin the
 * address fetch then connects to, so a DNS answer that changes in between
 * (rebinding) is not caught; run workers in a network without sensitive
 * internal endpoints where that matters.
 */
export async function privateAddressOf(url: URL, signal?: AbortSignal): Promise<string | undefined> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return isPrivateAddress(host) ? host : undefined;
  let addresses: Array<{ address: string }>;
  try {
    addresses = await abortable(lookup(host, { all: true, verbatim: true }), signal);
  } catch (error) {
    if (signal?.aborted) throw error;
    return undefined;
  }
  return addresses.find(({ address }) => isPrivateAddress(address))?.address;
}

function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

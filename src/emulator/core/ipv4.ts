// IPv4 addresses and CIDR ranges as the network APIs need them: parsing, canonical form,
// overlap, and the first free block of a size in a range (Memorystore and Filestore pick their
// peered ranges this way when the caller names none).

export interface Cidr {
  /** The network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

const OCTET = /^(0|[1-9][0-9]{0,2})$/;

/** `10.0.0.1` → number, or undefined when it is not a dotted quad. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((part) => OCTET.test(part) && Number(part) <= 255)) return undefined;
  return parts.reduce((value, part) => value * 256 + Number(part), 0);
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

function blockSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

/** `10.0.0.0/24` → {base, prefix}; undefined when malformed. `strict` refuses host bits (`10.0.0.1/24`). */
export function parseCidr(text: string, strict = true): Cidr | undefined {
  const match = /^([0-9.]+)\/([0-9]{1,2})$/.exec(text);
  if (!match) return undefined;
  const address = parseIpv4(match[1]);
  const prefix = Number(match[2]);
  if (address === undefined || prefix > 32) return undefined;
  const base = address - (address % blockSize(prefix));
  if (strict && base !== address) return undefined;
  return { base, prefix };
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIpv4(cidr.base)}/${cidr.prefix}`;
}

export function lastAddress(cidr: Cidr): number {
  return cidr.base + blockSize(cidr.prefix) - 1;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base <= lastAddress(b) && b.base <= lastAddress(a);
}

export function contains(outer: Cidr, address: number): boolean {
  return address >= outer.base && address <= lastAddress(outer);
}

/** The n-th address of a range (the gateway of a subnetwork is the first: `base + 1`). */
export function addressAt(cidr: Cidr, offset: number): string {
  return formatIpv4(cidr.base + offset);
}

/**
 * The first block of `prefix` size inside `within`, starting the search at block index `start`
 * (wrapping around), that overlaps none of `taken`; undefined when the range is full.
 */
export function firstFreeBlock(within: Cidr, prefix: number, taken: Cidr[], start = 0): Cidr | undefined {
  const count = blockSize(within.prefix) / blockSize(prefix);
  for (let step = 0; step < count; step++) {
    const index = (start + step) % count;
    const candidate = { base: within.base + index * blockSize(prefix), prefix };
    if (!taken.some((range) => overlaps(range, candidate))) return candidate;
  }
  return undefined;
}

// The server CA certificate of a Memorystore instance with in-transit encryption
// (`serverCaCerts`): a real, self-signed X.509 v3 CA certificate (EC P-256, ECDSA-SHA256), so a
// client can parse it, pin it or install it as a trust root. Node has no certificate builder,
// hence the few DER helpers below. The subject imitates Memorystore's server CA (see the README:
// unverified against a real instance).
import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';

export interface ServerCaCertificate {
  /** Decimal, as Memorystore reports it. */
  serialNumber: string;
  /** PEM. */
  cert: string;
  createTime: string;
  expireTime: string;
  /** Hex SHA-1 of the DER certificate. */
  sha1Fingerprint: string;
}

const VALIDITY_YEARS = 10;

function length(size: number): Buffer {
  if (size < 0x80) return Buffer.from([size]);
  const bytes: number[] = [];
  for (let rest = size; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(content.length), content]);
}

const sequence = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const explicit = (tag: number, content: Buffer) => tlv(0xa0 + tag, content);

function integer(bytes: Buffer): Buffer {
  return tlv(0x02, bytes[0] & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

function oid(text: string): Buffer {
  const [first, second, ...rest] = text.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const chunk = [arc % 128];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) chunk.unshift(0x80 | (value % 128));
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** UTCTime before 2050, GeneralizedTime from then on (RFC 5280 §4.1.2.5). */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${iso}Z`));
}

function name(dnQualifier: string): Buffer {
  const attribute = (type: string, tag: number, value: string) => set(sequence(oid(type), tlv(tag, Buffer.from(value, 'utf8'))));
  return sequence(
    attribute('2.5.4.6', 0x13, 'US'),
    attribute('2.5.4.10', 0x13, 'Google, Inc'),
    attribute('2.5.4.3', 0x0c, 'Google Cloud Memorystore Redis Server CA'),
    attribute('2.5.4.46', 0x13, dnQualifier),
  );
}

function caExtensions(): Buffer {
  const critical = tlv(0x01, Buffer.from([0xff]));
  const basicConstraints = sequence(oid('2.5.29.19'), critical, tlv(0x04, sequence(tlv(0x01, Buffer.from([0xff])))));
  // keyCertSign (bit 5) and cRLSign (bit 6): one byte, one unused bit.
  const keyUsage = sequence(oid('2.5.29.15'), critical, tlv(0x04, tlv(0x03, Buffer.from([0x01, 0x06]))));
  return explicit(3, sequence(basicConstraints, keyUsage));
}

/** A fresh self-signed CA certificate, valid for ten years from `now`. */
export function newServerCaCertificate(now: number): ServerCaCertificate {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  const notBefore = new Date(Math.floor(now / 1000) * 1000);
  const notAfter = new Date(notBefore);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + VALIDITY_YEARS);
  const ecdsaWithSha256 = sequence(oid('1.2.840.10045.4.3.2'));
  const subject = name(randomUUID());
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    ecdsaWithSha256,
    subject,
    sequence(time(notBefore), time(notAfter)),
    subject,
    publicKey.export({ type: 'spki', format: 'der' }),
    caExtensions(),
  );
  const signature = sign('sha256', tbs, { key: privateKey, dsaEncoding: 'der' });
  const der = sequence(tbs, ecdsaWithSha256, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const base64 = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return {
    serialNumber: BigInt(`0x${serial.toString('hex')}`).toString(10),
    cert: `-----BEGIN CERTIFICATE-----\n${base64}-----END CERTIFICATE-----\n`,
    createTime: notBefore.toISOString(),
    expireTime: notAfter.toISOString(),
    sha1Fingerprint: createHash('sha1').update(der).digest('hex'),
  };
}

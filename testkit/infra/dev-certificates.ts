import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Where the development CA and the brokers' certificate live: one per checkout, made on first use. */
const TLS_DIR = join(__dirname, '..', '..', '.infra', 'tls');

/** Every name a development broker is reached by: loopback here, the compose network's service names. */
const BROKER_NAMES = ['IP:127.0.0.1', 'DNS:localhost', 'DNS:kafka', 'DNS:kafka-1', 'DNS:kafka-2', 'DNS:kafka-3'];

export interface DevelopmentCertificates {
  /** The CA clients verify brokers with (PEM). */
  caFile: string;
  /** The brokers' private key, certificate and CA in one PEM file: Kafka's `ssl.keystore.type=PEM`. */
  keystoreFile: string;
}

/**
 * A development CA and one broker certificate it signed (EC P-256, ten years), made with openssl the
 * first time a local broker starts. Nothing here is published: each checkout makes its own. Made in a
 * directory of its own and renamed into place, so two processes starting brokers at once never read a
 * half-written one.
 */
export function ensureDevelopmentCertificates(): DevelopmentCertificates {
  const files = { caFile: join(TLS_DIR, 'ca.pem'), keystoreFile: join(TLS_DIR, 'broker-keystore.pem') };
  if (existsSync(files.keystoreFile)) return files;
  const work = `${TLS_DIR}.${randomBytes(4).toString('hex')}`;
  mkdirSync(work, { recursive: true });
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: work, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '3650',
    '-subj',
    '/CN=redpacket development CA',
  );
  openssl('req', ...ec, '-keyout', 'broker.key', '-out', 'broker.csr', '-subj', '/CN=redpacket development broker');
  writeFileSync(
    join(work, 'broker.ext'),
    `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=${BROKER_NAMES.join(',')}\n`,
  );
  openssl(
    'x509',
    '-req',
    '-in',
    'broker.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'broker.crt',
    '-days',
    '3650',
    '-extfile',
    'broker.ext',
  );
  // PKCS#8, as Kafka's PEM keystore reads it.
  openssl('pkcs8', '-topk8', '-nocrypt', '-in', 'broker.key', '-out', 'broker.pk8');
  const keystore = ['broker.pk8', 'broker.crt', 'ca.pem'].map((file) => readFileSync(join(work, file), 'utf8'));
  writeFileSync(join(work, 'broker-keystore.pem'), keystore.join(''), { mode: 0o600 });
  for (const file of ['ca.key', 'broker.key', 'broker.csr', 'broker.ext', 'broker.pk8', 'broker.crt', 'ca.srl']) {
    rmSync(join(work, file), { force: true });
  }
  try {
    renameSync(work, TLS_DIR);
  } catch {
    rmSync(work, { recursive: true, force: true }); // another process made them first
  }
  return files;
}

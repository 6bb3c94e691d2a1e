/**
 * The self-signed certificate of the emulator's voice gateway (`wss://` is hard-coded in @discordjs/voice).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A certificate on disk (PEM), valid for `localhost` and `127.0.0.1`. */
export interface EmulatorCertificate {
  /** PEM certificate; pass as `NODE_EXTRA_CA_CERTS` to a bot process. */
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
  /** Deletes the temporary directory. */
  remove(): Promise<void>;
}

/** Makes a fresh self-signed P-256 certificate with SAN `DNS:localhost, IP:127.0.0.1` in a temp dir. */
export async function createCertificate(): Promise<EmulatorCertificate> {
  const dir = await mkdtemp(join(tmpdir(), 'discord-emu-tls-'));
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  try {
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ]);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(
      `the Discord emulator needs openssl (1.1.1+) on PATH for its voice TLS certificate: ${String(error)}`,
    );
  }
  const [cert, key] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
  return { certPath, keyPath, cert, key, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Makes this process trust `pem` for every later TLS connection (Node ≥ 22.19).
 * @remarks For tests that run discord.js inside the test worker; a bot child process gets
 * `NODE_EXTRA_CA_CERTS=<certPath>` instead. Adding the same PEM twice is a no-op.
 */
export function trustCertificateInProcess(pem: string): void {
  const current = tls.getCACertificates('default');
  if (current.some((known) => known.trim() === pem.trim())) return;
  tls.setDefaultCACertificates([...current, pem]);
}

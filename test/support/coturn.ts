/**
 * A real coturn TURN server on loopback, started and stopped by the test that
 * needs it (flags from FINDINGS.md: loopback peers must be allowed explicitly,
 * else coturn answers 403 Forbidden IP). Uses time-limited credentials
 * (`--use-auth-secret`), the same scheme the relay's /config hands out.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.ts';

export interface Coturn {
  url: string;
  secret: string;
  /** RTCIceServer with time-limited credentials, as /config would give them. */
  iceServer(user?: string, ttlSeconds?: number): RTCIceServer;
  stop(): Promise<void>;
}

export const turnserverPath = '/usr/bin/turnserver';

export async function startCoturn(): Promise<Coturn> {
  const port = await freePort();
  const minPort = 40_000 + Math.floor(Math.random() * 20_000);
  const secret = `test-secret-${Math.random().toString(36).slice(2)}`;
  const dir = await mkdtemp(join(tmpdir(), 'parley-coturn-'));
  const child: ChildProcess = spawn(
    turnserverPath,
    [
      '-n',
      '--listening-ip=127.0.0.1',
      '--relay-ip=127.0.0.1',
      `--listening-port=${port}`,
      '--lt-cred-mech',
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      '--realm=parley.test',
      '--fingerprint',
      '--no-tls',
      '--no-dtls',
      '--no-cli',
      '--no-tcp-relay',
      `--min-port=${minPort}`,
      `--max-port=${minPort + 200}`,
      '--allow-loopback-peers',
      `--pidfile=${join(dir, 'turn.pid')}`,
      '--log-file=stdout',
      '--simple-log',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('coturn did not start within 5 s')), 5_000);
    const onData = (chunk: Buffer) => {
      if (/listener opened on|Total (UDP|General) servers/i.test(chunk.toString())) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`coturn exited early with ${code}`));
    });
  });
  const url = `turn:127.0.0.1:${port}?transport=udp`;
  return {
    url,
    secret,
    iceServer(user = 'parley', ttlSeconds = 600) {
      const username = `${Math.floor(Date.now() / 1000) + ttlSeconds}:${user}`;
      const credential = createHmac('sha1', secret).update(username).digest('base64');
      return { urls: url, username, credential };
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

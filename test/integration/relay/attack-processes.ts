/**
 * Attack helpers that need a second process: a relay whose memory can be
 * measured apart from its clients', and a flooding attacker whose own work
 * does not slow the relay's event loop (and so throttle the flood) as it
 * would from inside the test process.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Relay } from '../../../signal/server.ts';

/** A relay in its own process, so its memory can be measured apart from the clients'. */
export interface RelayProcess {
  /** Enough of a Relay for TestClient.open and connectDevice. */
  readonly relay: Relay;
  readonly pid: number;
  /** Resident set size of the relay process now (Linux /proc). */
  rssBytes(): number;
  stop(): Promise<void>;
}

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export async function startRelayProcess(flags: string[]): Promise<RelayProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-relay-proc-'));
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'signal/main.ts',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--log-level',
      'info',
      ...flags,
    ],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, PARLEY_WEB_DIR: join(dataDir, 'web') },
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error('relay process did not start')), 15_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const match = /"url":"(http:\/\/[^"]+)"/.exec(buffered);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', () => reject(new Error('relay process exited')));
  });
  const relay = { url, wsUrl: `${url.replace(/^http/, 'ws')}/ws`, origin: url } as unknown as Relay;
  const pid = child.pid!;
  return {
    relay,
    pid,
    rssBytes() {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kib = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
      return Number(kib ?? 0) * 1024;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface FloodOptions {
  /** Sockets in the flooding process. */
  sockets: number;
  /** Copies of `frame` each socket sends every 50 ms. */
  perTick: number;
  durationMs: number;
  /** JSON text frames, sent in turn (one, or e.g. a join and a leave). */
  frames: string[];
  /**
   * Instead of `frames`: binary envelopes to the room (see roomMembers) with
   * a payload of this many bytes. Flooding sockets join the room first.
   */
  roomEnvelopeBytes?: number;
  /** Register a fresh user on each socket first (for frames that need a login). */
  login: boolean;
  /**
   * Before flooding, set up a public room with this many online members
   * (their reading costs the attacker's process, not the relay's); `$ROOM`
   * in a frame is replaced by its id.
   */
  roomMembers?: number;
}

/**
 * An attacker in its own process, as in life: a flood sent from the test
 * process would slow the relay's event loop by the attacker's own work and so
 * throttle itself. Resolves once every socket is open (and logged in), with
 * a promise for the process's exit.
 */
export async function floodFromAnotherProcess(
  relay: Relay,
  opts: FloodOptions,
): Promise<{ finished: Promise<void>; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-flood-'));
  const script = join(dir, 'flood.mts');
  const harness = new URL('./harness.ts', import.meta.url).href;
  const sodiumModule = new URL('../../../shared/crypto/sodium.ts', import.meta.url).href;
  const envelopeModule = new URL('../../../shared/protocol/envelope.ts', import.meta.url).href;
  // The script lives outside the repo, so bare package names do not resolve.
  const wsModule = pathToFileURL(createRequire(import.meta.url).resolve('ws')).href;
  writeFileSync(
    script,
    `
    import WebSocket from ${JSON.stringify(wsModule)};
    import { connectDevice } from ${JSON.stringify(harness)};
    import { loadSodium } from ${JSON.stringify(sodiumModule)};
    import { clientEnvelope } from ${JSON.stringify(envelopeModule)};
    await loadSodium();
    const o = ${JSON.stringify({ wsUrl: relay.wsUrl, origin: relay.origin, url: relay.url, ...opts })};
    const relay = { wsUrl: o.wsUrl, origin: o.origin, url: o.url };
    const sockets = [];
    const crowd = [];
    let roomId = '';
    if (o.roomMembers) {
      const owner = await connectDevice(relay, { timeoutMs: 30_000 });
      crowd.push(owner);
      roomId = (await owner.client.expect('room.created', { t: 'room.create', name: 'crowd', visibility: 'public' })).room.id;
      for (let i = 0; i < o.roomMembers; i++) {
        const m = await connectDevice(relay, { timeoutMs: 30_000 });
        await m.client.expect('room.joined', { t: 'room.join', roomId });
        // Keep reading, but drop what arrives (no unbounded inbox).
        m.client.ws.removeAllListeners('message');
        crowd.push(m);
      }
    }
    const frames = o.roomEnvelopeBytes
      ? [clientEnvelope({ room: roomId }, new Uint8Array(o.roomEnvelopeBytes))]
      : o.frames.map((f) => f.replaceAll('$ROOM', roomId));
    for (let i = 0; i < o.sockets; i++) {
      if (o.login) {
        const d = await connectDevice(relay, { timeoutMs: 30_000 });
        if (o.roomEnvelopeBytes) await d.client.expect('room.joined', { t: 'room.join', roomId });
        d.client.ws.removeAllListeners('message');
        sockets.push(d.client.ws);
      } else {
        const ws = new WebSocket(o.wsUrl, { perMessageDeflate: false });
        ws.on('error', () => {});
        await new Promise((resolve) => ws.once('open', resolve));
        ws.send(JSON.stringify({ t: 'hello', v: 1 }));
        sockets.push(ws);
      }
    }
    process.stdout.write('flooding\\n');
    let sent = 0;
    const tick = setInterval(() => {
      for (const ws of sockets) {
        for (let i = 0; i < o.perTick; i++) ws.send(frames[(sent++) % frames.length]);
      }
    }, 50);
    setTimeout(() => {
      clearInterval(tick);
      for (const ws of sockets) ws.terminate();
      process.exit(0);
    }, o.durationMs);
    `,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('flooding process did not start')), 20_000);
    child.stdout?.once('data', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', () => reject(new Error('flooding process exited early')));
  });
  return {
    /** The flood ran its course and the process exited. */
    finished: exited,
    async stop() {
      child.kill();
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

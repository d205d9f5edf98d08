/**
 * Relay configuration: one defaults object, each option documented with its
 * default and environment variable. Precedence: flags > env (PARLEY_*) >
 * defaults. A wrong value or combination throws a ConfigError with an exact
 * message; `--help` prints every option.
 */
import { parseArgs } from 'node:util';
import { OPTIONS, type OptionSpec } from './config-options.ts';

export interface RelayConfig {
  port: number;
  host: string;
  dataDir: string;
  /** Public origin clients sign at login (e.g. https://chat.example). Default: this machine's own address as the client reached it (a Host header naming anything else is not trusted). */
  publicUrl: string | null;
  maxConnections: number;
  maxConnectionsPerIp: number;
  maxConnectionsPerIdentity: number;
  /** Largest WebSocket frame; bigger frames close the socket with 1009. */
  maxFrameBytes: number;
  /** Largest JSON control frame (signalling SDP fits easily). */
  maxControlBytes: number;
  /** Token bucket per socket: sustained frames per second and burst. */
  frameRatePerSec: number;
  frameBurst: number;
  /** Auth attempts (login, register, device.add) per address per minute. */
  authAttemptsPerMinPerIp: number;
  /** Blob releases (password sign-in) per account and per address, per 15 minutes. */
  blobAttemptsPerAccount: number;
  blobAttemptsPerIp: number;
  /** Bad frames a socket may send per minute before it is closed with 1008. */
  maxViolationsPerMin: number;
  /** Per-recipient send buffer bound; above it frames for that socket are dropped. */
  maxBufferedBytes: number;
  pingIntervalMs: number;
  authDeadlineMs: number;
  mailboxTtlDays: number;
  mailboxQuotaBytes: number;
  mailboxQuotaItems: number;
  mailboxSweepIntervalMs: number;
  maxDevicesPerUser: number;
  maxRoomMembers: number;
  maxRoomsOwned: number;
  maxFileBytes: number;
  turnSecret: string | null;
  turnUrls: string[];
  turnTtlSec: number;
  stunUrls: string[];
  /** Extra origins allowed to open /ws (the relay's own origin always is). */
  allowedOrigins: string[];
  metrics: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Static web app directory. */
  webDir: string;
  /** Graceful drain limit; the process exits within this after SIGTERM. */
  drainTimeoutMs: number;
}

const KIB = 1024;
const MIB = 1024 * KIB;

export const DEFAULTS: RelayConfig = {
  port: 8080,
  host: '127.0.0.1',
  dataDir: './data',
  publicUrl: null,
  maxConnections: 20_000,
  maxConnectionsPerIp: 200,
  maxConnectionsPerIdentity: 16,
  maxFrameBytes: 256 * KIB + 256,
  maxControlBytes: 96 * KIB,
  frameRatePerSec: 2_000,
  frameBurst: 4_000,
  authAttemptsPerMinPerIp: 60,
  blobAttemptsPerAccount: 10,
  blobAttemptsPerIp: 30,
  maxViolationsPerMin: 20,
  maxBufferedBytes: 4 * MIB,
  pingIntervalMs: 30_000,
  authDeadlineMs: 10_000,
  mailboxTtlDays: 14,
  mailboxQuotaBytes: 64 * MIB,
  mailboxQuotaItems: 10_000,
  mailboxSweepIntervalMs: 60_000,
  maxDevicesPerUser: 16,
  maxRoomMembers: 256,
  maxRoomsOwned: 100,
  maxFileBytes: 2 * 1024 * MIB,
  turnSecret: null,
  turnUrls: [],
  turnTtlSec: 86_400,
  stunUrls: [],
  allowedOrigins: [],
  metrics: false,
  logLevel: 'info',
  webDir: './dist/web',
  drainTimeoutMs: 8_000,
};

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function convert(spec: OptionSpec, raw: string | boolean, source: string): unknown {
  const text = String(raw);
  switch (spec.kind) {
    case 'int': {
      if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
        throw new ConfigError(`${source}: expected a non-negative integer, got "${text}"`);
      }
      return Number(text);
    }
    case 'bool': {
      if (raw === true || text === 'true' || text === '1') return true;
      if (text === 'false' || text === '0' || text === '') return false;
      throw new ConfigError(`${source}: expected true or false, got "${text}"`);
    }
    case 'list':
      return text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
    case 'nullable-string':
      return text === '' ? null : text;
    default:
      return text;
  }
}

/** Checks a full config; throws ConfigError naming the option. */
export function validateConfig(config: RelayConfig): RelayConfig {
  const fail = (msg: string): never => {
    throw new ConfigError(msg);
  };
  if (config.port > 65_535) fail(`--port must be 0..65535, got ${config.port}`);
  if (!LOG_LEVELS.has(config.logLevel))
    fail(`--log-level must be one of ${[...LOG_LEVELS].join('|')}`);
  if (config.maxFrameBytes < 1024) fail('--max-frame-bytes must be at least 1024');
  if (config.maxControlBytes > config.maxFrameBytes) {
    fail('--max-control-bytes cannot exceed --max-frame-bytes');
  }
  if (config.maxConnectionsPerIp > config.maxConnections) {
    fail('--max-connections-per-ip cannot exceed --max-connections');
  }
  if (config.frameBurst < 1 || config.frameRatePerSec < 1) {
    fail('--frame-rate and --frame-burst must be at least 1');
  }
  if (config.pingIntervalMs < 100) fail('--ping-interval-ms must be at least 100');
  if (config.turnUrls.length > 0 && !config.turnSecret) {
    fail('--turn-urls needs --turn-secret (TURN credentials are minted from it)');
  }
  if (config.turnSecret && config.turnUrls.length === 0) {
    fail('--turn-secret needs --turn-urls');
  }
  for (const url of config.turnUrls) {
    if (!/^turns?:/.test(url)) fail(`--turn-urls: "${url}" is not a turn: or turns: URL`);
  }
  for (const url of config.stunUrls) {
    if (!/^stun:/.test(url)) fail(`--stun-urls: "${url}" is not a stun: URL`);
  }
  if (config.publicUrl !== null) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(config.publicUrl);
    } catch {
      fail(`--public-url: "${config.publicUrl}" is not a URL`);
    }
    if (parsed && parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      fail('--public-url must be http: or https:');
    }
  }
  return config;
}

export function helpText(): string {
  const lines = ['Usage: node dist/relay.mjs [options]', '', 'Options (flag, env, default):'];
  for (const spec of OPTIONS) {
    const def = DEFAULTS[spec.key];
    const shown = Array.isArray(def)
      ? def.join(',') || '(none)'
      : def === null
        ? '(none)'
        : String(def);
    lines.push(
      `  --${spec.flag.padEnd(30)} ${spec.env.padEnd(38)} ${shown.padEnd(12)} ${spec.help}`,
    );
  }
  lines.push(`  --${'help'.padEnd(30)} print this and exit`);
  return lines.join('\n');
}

export type ParsedArgs = { help: true } | { help: false; config: RelayConfig };

/** flags > env > defaults. */
export function loadConfig(
  argv: string[],
  env: Record<string, string | undefined> = {},
): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const spec of OPTIONS)
    options[spec.flag] = { type: spec.kind === 'bool' ? 'boolean' : 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false })
      .values as Record<string, string | boolean | undefined>;
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  if (values.help) return { help: true };
  const config: Record<string, unknown> = { ...DEFAULTS };
  for (const spec of OPTIONS) {
    const fromEnv = env[spec.env];
    if (fromEnv !== undefined) config[spec.key] = convert(spec, fromEnv, spec.env);
    const fromFlag = values[spec.flag];
    if (fromFlag !== undefined) config[spec.key] = convert(spec, fromFlag, `--${spec.flag}`);
  }
  return { help: false, config: validateConfig(config as unknown as RelayConfig) };
}

/** Programmatic use: defaults overlaid with the given options, validated. */
export function resolveConfig(options: Partial<RelayConfig>): RelayConfig {
  return validateConfig({ ...DEFAULTS, ...options });
}

/**
 * The relay's command-line flags and environment variables, one row per
 * option of RelayConfig (config.ts has the defaults). `--help` prints this
 * table.
 */
import type { RelayConfig } from './config.ts';

export interface OptionSpec {
  key: keyof RelayConfig;
  flag: string;
  env: string;
  kind: 'int' | 'string' | 'bool' | 'list' | 'nullable-string';
  help: string;
}

export const OPTIONS: readonly OptionSpec[] = [
  { key: 'port', flag: 'port', env: 'PARLEY_PORT', kind: 'int', help: 'TCP port (0 = ephemeral)' },
  {
    key: 'host',
    flag: 'host',
    env: 'PARLEY_HOST',
    kind: 'string',
    help: 'bind address; 0.0.0.0 for a LAN',
  },
  {
    key: 'dataDir',
    flag: 'data-dir',
    env: 'PARLEY_DATA_DIR',
    kind: 'string',
    help: 'holds parley.db',
  },
  {
    key: 'publicUrl',
    flag: 'public-url',
    env: 'PARLEY_PUBLIC_URL',
    kind: 'nullable-string',
    help: 'origin clients sign at login; set it when clients use a DNS name (default: the address of this machine as clients reached it)',
  },
  {
    key: 'maxConnections',
    flag: 'max-connections',
    env: 'PARLEY_MAX_CONNECTIONS',
    kind: 'int',
    help: 'sockets in total',
  },
  {
    key: 'maxConnectionsPerIp',
    flag: 'max-connections-per-ip',
    env: 'PARLEY_MAX_CONNECTIONS_PER_IP',
    kind: 'int',
    help: 'sockets per client address',
  },
  {
    key: 'maxConnectionsPerIdentity',
    flag: 'max-connections-per-identity',
    env: 'PARLEY_MAX_CONNECTIONS_PER_IDENTITY',
    kind: 'int',
    help: 'sockets per user',
  },
  {
    key: 'maxFrameBytes',
    flag: 'max-frame-bytes',
    env: 'PARLEY_MAX_FRAME_BYTES',
    kind: 'int',
    help: 'largest frame (bigger closes 1009)',
  },
  {
    key: 'maxControlBytes',
    flag: 'max-control-bytes',
    env: 'PARLEY_MAX_CONTROL_BYTES',
    kind: 'int',
    help: 'largest JSON control frame',
  },
  {
    key: 'frameRatePerSec',
    flag: 'frame-rate',
    env: 'PARLEY_FRAME_RATE',
    kind: 'int',
    help: 'frames per second per socket (token bucket)',
  },
  {
    key: 'frameBurst',
    flag: 'frame-burst',
    env: 'PARLEY_FRAME_BURST',
    kind: 'int',
    help: 'token bucket size per socket',
  },
  {
    key: 'authAttemptsPerMinPerIp',
    flag: 'auth-rate',
    env: 'PARLEY_AUTH_RATE',
    kind: 'int',
    help: 'auth attempts per address per minute',
  },
  {
    key: 'blobAttemptsPerAccount',
    flag: 'blob-rate-account',
    env: 'PARLEY_BLOB_RATE_ACCOUNT',
    kind: 'int',
    help: 'password blob attempts per account per 15 min',
  },
  {
    key: 'blobAttemptsPerIp',
    flag: 'blob-rate-ip',
    env: 'PARLEY_BLOB_RATE_IP',
    kind: 'int',
    help: 'password blob attempts per address per 15 min',
  },
  {
    key: 'maxViolationsPerMin',
    flag: 'max-violations',
    env: 'PARLEY_MAX_VIOLATIONS',
    kind: 'int',
    help: 'bad frames per minute before close 1008',
  },
  {
    key: 'maxBufferedBytes',
    flag: 'max-buffered-bytes',
    env: 'PARLEY_MAX_BUFFERED_BYTES',
    kind: 'int',
    help: 'per-recipient send buffer bound',
  },
  {
    key: 'pingIntervalMs',
    flag: 'ping-interval-ms',
    env: 'PARLEY_PING_INTERVAL_MS',
    kind: 'int',
    help: 'ping period; a missed pong terminates',
  },
  {
    key: 'authDeadlineMs',
    flag: 'auth-deadline-ms',
    env: 'PARLEY_AUTH_DEADLINE_MS',
    kind: 'int',
    help: 'log in within this after connect',
  },
  {
    key: 'mailboxTtlDays',
    flag: 'mailbox-ttl-days',
    env: 'PARLEY_MAILBOX_TTL_DAYS',
    kind: 'int',
    help: 'mailbox item lifetime',
  },
  {
    key: 'mailboxQuotaBytes',
    flag: 'mailbox-quota-bytes',
    env: 'PARLEY_MAILBOX_QUOTA_BYTES',
    kind: 'int',
    help: 'mailbox bytes per user',
  },
  {
    key: 'mailboxQuotaItems',
    flag: 'mailbox-quota-items',
    env: 'PARLEY_MAILBOX_QUOTA_ITEMS',
    kind: 'int',
    help: 'mailbox items per user',
  },
  {
    key: 'mailboxSweepIntervalMs',
    flag: 'mailbox-sweep-ms',
    env: 'PARLEY_MAILBOX_SWEEP_MS',
    kind: 'int',
    help: 'how often expired items are deleted',
  },
  {
    key: 'maxDevicesPerUser',
    flag: 'max-devices',
    env: 'PARLEY_MAX_DEVICES',
    kind: 'int',
    help: 'devices per user',
  },
  {
    key: 'maxRoomMembers',
    flag: 'max-room-members',
    env: 'PARLEY_MAX_ROOM_MEMBERS',
    kind: 'int',
    help: 'members per room',
  },
  {
    key: 'maxRoomsOwned',
    flag: 'max-rooms-owned',
    env: 'PARLEY_MAX_ROOMS_OWNED',
    kind: 'int',
    help: 'rooms one user may own',
  },
  {
    key: 'maxFileBytes',
    flag: 'max-file-bytes',
    env: 'PARLEY_MAX_FILE_BYTES',
    kind: 'int',
    help: 'largest file clients should offer',
  },
  {
    key: 'turnSecret',
    flag: 'turn-secret',
    env: 'PARLEY_TURN_SECRET',
    kind: 'nullable-string',
    help: 'coturn static-auth-secret (enables TURN credentials)',
  },
  {
    key: 'turnUrls',
    flag: 'turn-urls',
    env: 'PARLEY_TURN_URLS',
    kind: 'list',
    help: 'comma-separated turn: URLs',
  },
  {
    key: 'turnTtlSec',
    flag: 'turn-ttl-sec',
    env: 'PARLEY_TURN_TTL_SEC',
    kind: 'int',
    help: 'TURN credential lifetime',
  },
  {
    key: 'stunUrls',
    flag: 'stun-urls',
    env: 'PARLEY_STUN_URLS',
    kind: 'list',
    help: 'comma-separated stun: URLs',
  },
  {
    key: 'allowedOrigins',
    flag: 'allowed-origins',
    env: 'PARLEY_ALLOWED_ORIGINS',
    kind: 'list',
    help: 'extra origins allowed to open /ws',
  },
  {
    key: 'metrics',
    flag: 'metrics',
    env: 'PARLEY_METRICS',
    kind: 'bool',
    help: 'serve /metrics (Prometheus)',
  },
  {
    key: 'logLevel',
    flag: 'log-level',
    env: 'PARLEY_LOG_LEVEL',
    kind: 'string',
    help: 'fatal|error|warn|info|debug|trace|silent',
  },
  {
    key: 'webDir',
    flag: 'web-dir',
    env: 'PARLEY_WEB_DIR',
    kind: 'string',
    help: 'built web app to serve',
  },
  {
    key: 'drainTimeoutMs',
    flag: 'drain-timeout-ms',
    env: 'PARLEY_DRAIN_TIMEOUT_MS',
    kind: 'int',
    help: 'graceful shutdown limit',
  },
];

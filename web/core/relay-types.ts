/**
 * The shapes a relay client (relay-client.ts) is built from and reports in:
 * its options, its states, the credentials a login proves, and its events.
 * Kept apart so the files the client is split into (relay-connection.ts,
 * relay-login.ts, relay-requests.ts) share them without importing the
 * client itself.
 */
import type { DeviceCert, SignedPrekey, SigningKeyPair } from '../../shared/crypto/keys.ts';
import type { ClientMessage } from '../../shared/protocol/client-messages.ts';
import type { ReceivedEnvelope } from '../../shared/protocol/envelope.ts';
import type { RelayMessage, RelayMessageOf } from '../../shared/protocol/relay-messages.ts';
import type { BackoffOptions } from './backoff.ts';
import type { RelayError } from './relay-errors.ts';
import type { WebSocketFactory } from './relay-socket.ts';

export type RelayState = 'connecting' | 'authenticating' | 'online' | 'offline' | 'closed';

/** What the device proves on every login. */
export interface LoginCredentials {
  device: SigningKeyPair;
  cert: DeviceCert;
}

/** Registration also publishes the device's signed prekey. */
export interface DeviceCredentials extends LoginCredentials {
  spk: SignedPrekey;
}

export type Authed = RelayMessageOf<'authed'>;

/** Relay-pushed messages (those with no request waiting for them). */
export type RelayPush = Exclude<RelayMessage, { t: 'authed' }>;

export type RelayClientEvents = {
  state: [state: RelayState];
  /** Logged in (first time and after every reconnect). */
  authed: [info: Authed];
  push: [msg: RelayPush];
  envelope: [envelope: ReceivedEnvelope];
  /** Something went wrong that no request is waiting to hear about. */
  error: [error: RelayError];
};

export interface RelayClientOptions {
  /** ws:// or wss:// URL of the relay's /ws endpoint. */
  url: string;
  /** Defaults to the global WebSocket (browsers). Node passes `ws`. */
  createSocket?: WebSocketFactory;
  requestTimeoutMs?: number;
  /** Reconnect delays; BACKOFF_DEFAULTS (0.5 s → 10 s, jittered) otherwise. */
  backoff?: BackoffOptions;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type ClientRequest = DistributiveOmit<ClientMessage, 'ref'>;

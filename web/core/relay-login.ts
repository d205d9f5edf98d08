/**
 * Logging in to the relay (CRYPTO.md "Relay login"): the device key signs a
 * fresh single-use challenge bound to the relay's origin — on every
 * (re)connect, since there is no bearer token to resume with. The first
 * challenge comes with the relay's hello; later ones are asked for.
 */
import { toB64 } from '../../shared/crypto/encoding.ts';
import { certToWire, prekeyToWire, type SignedPrekey } from '../../shared/crypto/keys.ts';
import {
  type Challenge,
  challengeFromWire,
  challengeToWire,
  signRelayChallenge,
} from '../../shared/crypto/relay-auth.ts';
import type { RelayMessage } from '../../shared/protocol/relay-messages.ts';
import { RelayError } from './relay-errors.ts';
import type { Authed, ClientRequest, LoginCredentials, RelayState } from './relay-types.ts';

/** What a login needs from its relay client. */
export interface RelayLoginHost {
  /** The origin a login signature is bound to (relay-socket.ts). */
  readonly origin: string;
  request(msg: ClientRequest): Promise<RelayMessage>;
  setState(state: RelayState): void;
  /** The socket is open now. */
  socketOpen(): boolean;
  /** Logged in: the client is online and tells its listeners. */
  authed(info: Authed): void;
  /** Something went wrong that no request is waiting to hear about. */
  error(error: RelayError): void;
}

export type LoginKind = 'login' | 'register' | 'device.add';

export class RelayLogin {
  readonly #host: RelayLoginHost;
  #helloChallenge: Challenge | null = null;
  #credentials: LoginCredentials | null = null;
  #authed: Authed | null = null;

  constructor(host: RelayLoginHost) {
    this.#host = host;
  }

  /** Who the last login proved to be (this socket or an earlier one). */
  get authed(): Authed | null {
    return this.#authed;
  }

  /** Later reconnects log in again with these. */
  remember(credentials: LoginCredentials): void {
    this.#credentials = credentials;
  }

  /** The relay's hello on a new socket brought this challenge. */
  hello(challenge: Challenge): void {
    this.#helloChallenge = challenge;
  }

  /** The socket closed: its hello challenge cannot be used on the next one. */
  forgetChallenge(): void {
    this.#helloChallenge = null;
  }

  /** After hello: a reconnect with known credentials logs straight back in. */
  resume(): void {
    if (this.#credentials && this.#authed) {
      const creds = this.#credentials;
      this.authenticate('login', creds).catch((error: unknown) => {
        this.#host.error(error instanceof RelayError ? error : new RelayError('DISCONNECTED'));
      });
    } else {
      this.#host.setState('offline');
    }
  }

  /** A fresh single-use challenge (the hello's, if still unused). */
  async freshChallenge(): Promise<Challenge> {
    if (this.#helloChallenge) {
      const c = this.#helloChallenge;
      this.#helloChallenge = null;
      return c;
    }
    const reply = await this.#host.request({ t: 'challenge.new' });
    if (reply.t !== 'challenge')
      throw new RelayError('RELAY_PROTOCOL', `expected challenge, got ${reply.t}`);
    return challengeFromWire(reply.challenge);
  }

  async authenticate(
    kind: LoginKind,
    creds: LoginCredentials & { spk?: SignedPrekey },
    username?: string,
  ): Promise<Authed> {
    const host = this.#host;
    host.setState('authenticating');
    const challenge = await this.freshChallenge();
    const sig = signRelayChallenge(host.origin, challenge, creds.device);
    const common = {
      cert: certToWire(creds.cert),
      challenge: challengeToWire(challenge),
      sig: toB64(sig),
    };
    let msg: ClientRequest;
    if (kind === 'login') msg = { t: 'login', ...common };
    else {
      if (!creds.spk)
        throw new RangeError('parley/relay: registering a device needs its signed prekey');
      const spk = prekeyToWire(creds.spk);
      msg =
        kind === 'register'
          ? { t: 'register', username: username ?? '', spk, ...common }
          : { t: 'device.add', spk, ...common };
    }
    let reply: RelayMessage;
    try {
      reply = await host.request(msg);
    } catch (error) {
      host.setState(host.socketOpen() ? 'connecting' : 'offline');
      throw error;
    }
    if (reply.t !== 'authed')
      throw new RelayError('RELAY_PROTOCOL', `expected authed, got ${reply.t}`);
    this.#authed = reply;
    host.authed(reply);
    return reply;
  }
}

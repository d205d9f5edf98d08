/**
 * The relay path as a Transport: link frames inside `toDevice` envelopes.
 * Used when a data channel does not connect (blocked UDP, strict NAT, no
 * TURN) and for devices beyond the mesh cap. There is no DTLS here, so both
 * fingerprints are the `relay` marker; the link handshake's pinned identity
 * keys are what stop a relay in the middle (CRYPTO.md).
 *
 * The relay connection is not resumable frame-by-frame: when it drops, this
 * transport closes and the link above re-handshakes on a new one.
 *
 * Closing sends a close notice (an empty frame: no handshake message or
 * sealed frame is ever empty), because unlike a data channel nothing else
 * tells the other side. Without it, a responder whose handshake timed out
 * just before the initiator's last message arrived left the initiator holding
 * a verified link to nobody, and neither side ever tried again (seen as
 * one-sided pairs in a room of 32 joining at once). The notice is not
 * authenticated: a relay that forges one could as well drop every frame of
 * the link, so it gains nothing; it only ends the attempt it names.
 */
import { LINK } from '../../../shared/crypto/constants.ts';
import { clientEnvelope } from '../../../shared/protocol/envelope.ts';
import { Emitter } from '../emitter.ts';
import type { RelayClient } from '../relay-client.ts';
import { encodeRelayPayload } from '../relay-payload.ts';
import type { Transport, TransportCloseReason, TransportEvents } from './transport.ts';

/** The close notice on the wire (see above). */
export const RELAY_CLOSE_NOTICE = new Uint8Array(0);

export function isRelayCloseNotice(frame: Uint8Array): boolean {
  return frame.length === 0;
}

export class RelayTransport implements Transport {
  readonly events = new Emitter<TransportEvents>();
  readonly path = 'relay' as const;
  readonly localFingerprint = LINK.relayFingerprint;
  readonly remoteFingerprint = LINK.relayFingerprint;
  readonly bufferedAmount = 0;
  readonly peerDeviceId: string;
  readonly context: string;
  /** Names this link instance on the wire (see relay-payload.ts). */
  readonly attempt: string;
  #open = true;
  readonly #relay: RelayClient;
  readonly #offState: () => void;

  constructor(relay: RelayClient, peerDeviceId: string, context: string, attempt: string) {
    this.#relay = relay;
    this.peerDeviceId = peerDeviceId;
    this.context = context;
    this.attempt = attempt;
    this.#offState = relay.events.on('state', (state) => {
      if (state !== 'online') this.#close('CONNECTION_FAILED');
    });
    if (relay.state !== 'online') this.#open = false;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  send(frame: Uint8Array): boolean {
    if (!this.#open || isRelayCloseNotice(frame)) return false;
    return this.#sendFrame(frame);
  }

  /** A link frame the router received from this peer for this context. */
  deliver(frame: Uint8Array): void {
    if (!this.#open) return;
    if (isRelayCloseNotice(frame)) this.#close('CLOSED_REMOTELY');
    else this.events.emit('message', frame);
  }

  /** Closes and tells the other side, so its half of the link does not linger. */
  close(): void {
    if (this.#open) this.#sendFrame(RELAY_CLOSE_NOTICE);
    this.#close('CLOSED_LOCALLY');
  }

  /**
   * Closes without a notice: the link moved to a data channel, and the other
   * side retires its copy when its own channel opens, not before.
   */
  retire(): void {
    this.#close('CLOSED_LOCALLY');
  }

  #sendFrame(frame: Uint8Array): boolean {
    const payload = encodeRelayPayload({
      kind: 'link',
      context: this.context,
      attempt: this.attempt,
      frame,
    });
    return this.#relay.sendBinary(clientEnvelope({ device: this.peerDeviceId }, payload));
  }

  #close(reason: TransportCloseReason): void {
    if (!this.#open) return;
    this.#open = false;
    this.#offState();
    this.events.emit('close', reason);
    this.events.clear();
  }
}

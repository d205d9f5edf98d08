/**
 * Sorts what the relay delivers to the part of the engine it belongs to:
 * WebRTC signals and relay-path link frames to the mesh of their
 * conversation, sender-key room events and sealed mail to their handlers.
 * Everything here came from other clients through an untrusted relay, so
 * anything malformed is dropped (and counted), never thrown.
 */
import type { ReceivedEnvelope } from '../../shared/protocol/envelope.ts';
import { EarlyBuffer } from './early-buffer.ts';
import type { MailboxCollector } from './mailbox.ts';
import type { Mesh } from './mesh.ts';
import { parseSignalData } from './mesh-signals.ts';
import type { RelayClient } from './relay-client.ts';
import { decodeRelayPayload } from './relay-payload.ts';

export interface RouterHandlers {
  /**
   * A sender-key message for a room, from a device with no open link to us
   * (or from the mailbox). A returned promise is awaited before a mailbox
   * item is acknowledged; a rejected one leaves the item for next time.
   */
  roomEvent?(
    roomId: string,
    from: { deviceId: string; userId: string },
    message: Uint8Array,
    source: ReceivedEnvelope,
  ): unknown;
  /** A room's newest membership entries (live fan-out or mailbox); same promise rule. */
  membership?(
    roomId: string,
    from: { deviceId: string; userId: string },
    entries: Uint8Array,
    source: ReceivedEnvelope,
  ): unknown;
  /** Sealed mail (offline DM or key distribution); same promise rule. */
  sealed?(
    from: { deviceId: string; userId: string },
    box: Uint8Array,
    source: ReceivedEnvelope,
  ): unknown;
  /** Acknowledges mailbox items once handled. */
  mailbox?: MailboxCollector;
}

type Early = (mesh: Mesh) => void;

export class Router {
  readonly #meshes = new Map<string, Mesh>();
  /** Signals and link frames for a conversation whose mesh is still starting. */
  readonly #early = new EarlyBuffer<Early>();
  readonly #offs: Array<() => void>;
  #dropped = 0;

  constructor(relay: RelayClient, handlers: RouterHandlers = {}) {
    this.#offs = [
      relay.events.on('push', (msg) => {
        if (msg.t !== 'signal') return;
        const data = parseSignalData(msg.data);
        if (!data) {
          this.#dropped++;
          return;
        }
        this.#toMesh(data.c, (mesh) => mesh.onSignal(msg.from, data, msg.fromUser));
      }),
      relay.events.on('envelope', (env) => {
        let work: unknown;
        const payload = decodeRelayPayload(env.payload);
        if (!payload) {
          this.#dropped++;
        } else if (payload.kind === 'link') {
          // Link frames are live traffic: a mailbox copy is stale by definition.
          if (env.kind === 'mailbox') this.#dropped++;
          else {
            this.#toMesh(payload.context, (mesh) =>
              mesh.onRelayFrame(env.fromDevice, payload.attempt, payload.frame),
            );
          }
        } else {
          const from = { deviceId: env.fromDevice, userId: env.fromUser };
          work =
            payload.kind === 'room-event'
              ? handlers.roomEvent?.(payload.roomId, from, payload.message, env)
              : payload.kind === 'membership'
                ? handlers.membership?.(payload.roomId, from, payload.entries, env)
                : handlers.sealed?.(from, payload.box, env);
        }
        // Junk and stale items are acknowledged too: they can never be handled.
        if (env.kind === 'mailbox') handlers.mailbox?.track(env.itemId, Promise.resolve(work));
      }),
    ];
  }

  /** Frames that could not be routed (malformed, or for no known conversation). */
  get dropped(): number {
    return this.#dropped;
  }

  add(mesh: Mesh): void {
    this.#meshes.set(mesh.context, mesh);
    for (const deliver of this.#early.take(mesh.context)) deliver(mesh);
  }

  #toMesh(context: string, deliver: Early): void {
    const mesh = this.#meshes.get(context);
    if (mesh) deliver(mesh);
    else this.#early.hold(context, deliver);
  }

  remove(context: string): void {
    this.#meshes.delete(context);
  }

  close(): void {
    for (const off of this.#offs) off();
    this.#meshes.clear();
    this.#early.clear();
  }
}

/**
 * Events for history tests. The store trusts its caller to have verified
 * signatures, so most fixtures carry a placeholder signature; `signedBy`
 * makes real ones where a test wants them.
 */
import { utf8 } from '../../../../../shared/crypto/encoding.ts';
import type { ChatEvent, EventBody } from '../../../../../shared/events/event-schema.ts';
import type { IncomingEvent } from '../../../../../web/core/history/event-ingest.ts';

/** A 32-byte key's base64url: 43 characters. */
export function ikOf(name: string): string {
  return name.padEnd(43, 'K').slice(0, 43);
}

/** A 16-byte id's base64url: 22 characters. */
export function idOf(name: string): string {
  return name.padEnd(22, 'I').slice(0, 22);
}

export function deviceOf(name: string): string {
  return name.padEnd(22, 'D').slice(0, 22);
}

let counter = 0;

export function chatEvent(
  conv: string,
  author: string,
  body: EventBody,
  stamps: { id?: string; lamport?: number; ts?: number } = {},
): ChatEvent {
  counter += 1;
  return {
    v: 1,
    id: stamps.id ?? idOf(`e${counter}x`),
    conv,
    authorIk: ikOf(author),
    authorDevice: deviceOf(author),
    lamport: stamps.lamport ?? counter,
    ts: stamps.ts ?? 1_700_000_000_000 + counter,
    body,
  };
}

export function incoming(event: ChatEvent, local = false): IncomingEvent {
  const item: IncomingEvent = {
    signed: { bytes: utf8(JSON.stringify(event)), sig: new Uint8Array(64) },
    event,
  };
  if (local) item.local = true;
  return item;
}

let dbCounter = 0;

export function freshDbName(): string {
  dbCounter += 1;
  return `parley-history-test-${dbCounter}-${Math.random().toString(36).slice(2)}`;
}

/**
 * This device's own identity key, which a safety number needs beside the
 * contact's. The engine does not expose it yet (ParleyClient keeps the
 * account private); until it does, an `account`/`me` property is used when
 * present, else the relay's directory entry for our own user id.
 *
 * Why the directory fallback is safe: the safety number binds each key to
 * its user id through 5200 SHA-512 rounds; a relay that lies about our own
 * key only makes our number differ from what the contact sees — the check
 * fails, it never passes falsely.
 */
import { fromB64 } from '../../../shared/crypto/encoding.ts';
import type { ParleyClient } from '../../core/client.ts';

export interface OwnIdentity {
  userId: string;
  ikPk: Uint8Array;
}

type MaybeAccount = { userId?: unknown; ikPk?: unknown };

function fromAccount(value: unknown): OwnIdentity | null {
  if (!value || typeof value !== 'object') return null;
  const { userId, ikPk } = value as MaybeAccount;
  return typeof userId === 'string' && ikPk instanceof Uint8Array ? { userId, ikPk } : null;
}

export async function ownIdentity(client: ParleyClient): Promise<OwnIdentity | null> {
  const exposed = client as unknown as { account?: unknown; me?: unknown };
  const direct = fromAccount(exposed.account) ?? fromAccount(exposed.me);
  if (direct) return direct;
  const session = client.relay.session;
  if (!session) return null;
  try {
    const keys = await client.relay.call({ t: 'keys.get', userId: session.userId }, 'keys');
    return { userId: session.userId, ikPk: fromB64(keys.ik) };
  } catch {
    return null;
  }
}

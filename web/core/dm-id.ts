/**
 * A DM's conversation id: the same for both people, derived from their user
 * ids (sorted, so the order does not matter) and nothing else. It names the
 * conversation in history and binds each DM link's handshake to this pair.
 */
import { DOMAIN } from '../../shared/crypto/constants.ts';
import { frame, toB64 } from '../../shared/crypto/encoding.ts';
import { sodium } from '../../shared/crypto/sodium.ts';

export function dmIdFor(userA: string, userB: string): string {
  const [lo, hi] = userA < userB ? [userA, userB] : [userB, userA];
  return `dm-${toB64(sodium().crypto_generichash(16, frame(DOMAIN.dmId, lo, hi), null))}`;
}

/**
 * How a member is reached, in one word: the best path among their devices'
 * links (a direct data channel beats TURN beats the relay), "connecting"
 * while a link is being made, nothing when no device is linked.
 */
import type { MemberDevice } from '../../core/room-members.ts';

export type Connection = 'direct' | 'turn' | 'relay' | 'connecting';

const BEST_FIRST: Connection[] = ['direct', 'turn', 'relay', 'connecting'];

export function memberConnection(devices: readonly MemberDevice[]): Connection | null {
  return BEST_FIRST.find((path) => devices.some((d) => d.path === path)) ?? null;
}

/**
 * Which path a connected RTCPeerConnection actually uses, from the standard
 * stats: transport → selected candidate pair → local candidate type. A
 * `relay` candidate means the bytes go through TURN; anything else is direct
 * (host, srflx or prflx). Chromium and node-datachannel both report this shape.
 */
import type { PathKind } from './transport.ts';

type StatsEntry = {
  type?: string;
  selectedCandidatePairId?: string;
  localCandidateId?: string;
  candidateType?: string;
  selected?: boolean;
  nominated?: boolean;
  state?: string;
};

export async function selectedPathKind(
  pc: Pick<RTCPeerConnection, 'getStats'>,
): Promise<Exclude<PathKind, 'relay'> | null> {
  const report = await pc.getStats();
  const entries = new Map<string, StatsEntry>();
  report.forEach((value: StatsEntry, key: string) => {
    entries.set(key, value);
  });

  let pairId: string | undefined;
  for (const entry of entries.values()) {
    if (entry.type === 'transport' && entry.selectedCandidatePairId) {
      pairId = entry.selectedCandidatePairId;
      break;
    }
  }
  let pair = pairId ? entries.get(pairId) : undefined;
  if (!pair) {
    // Older stacks: no transport entry; fall back to the selected/nominated pair.
    for (const entry of entries.values()) {
      if (
        entry.type === 'candidate-pair' &&
        (entry.selected || (entry.nominated && entry.state === 'succeeded'))
      ) {
        pair = entry;
        break;
      }
    }
  }
  const local = pair?.localCandidateId ? entries.get(pair.localCandidateId) : undefined;
  if (!local?.candidateType) return null;
  return local.candidateType === 'relay' ? 'turn' : 'direct';
}

/**
 * Files this tab shared, by fileId, so the sender's own card can preview
 * and save them without a round trip through OPFS. Memory only: after a
 * reload the sender's card shows the offer without a preview.
 */

const MAX_REMEMBERED = 200;
const shared = new Map<string, Blob>();

export function rememberSharedFile(fileId: string, file: Blob): void {
  shared.set(fileId, file);
  // Oldest first out: a long session does not pin every file it ever shared.
  while (shared.size > MAX_REMEMBERED) {
    const oldest = shared.keys().next().value;
    if (oldest === undefined) break;
    shared.delete(oldest);
  }
}

export function sharedFile(fileId: string): Blob | undefined {
  return shared.get(fileId);
}

/**
 * Set-ups several tests share: people signed up in their own browsers, one
 * of them creating a room and the others joining it by its invite link.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  conversationHeading,
  createRoom,
  inviteLink,
  openInviteLink,
  signUpPerson,
} from './actions.ts';
import { CROSS_PEER_MS, type Parley, type Person } from './parley.ts';

/** Opens a browser per name and signs each person up (in parallel: Argon2id dominates). */
export async function signedUpPeople(parley: Parley, names: string[]): Promise<Person[]> {
  const people = await Promise.all(names.map((n) => parley.person(n)));
  await Promise.all(people.map((p) => signUpPerson(p)));
  return people;
}

/** The first person creates a private room; every other one opens its invite link. */
export async function roomWith(
  people: Person[],
  roomName: string,
): Promise<{ roomId: string; link: string }> {
  const [owner, ...guests] = people;
  if (!owner) throw new Error('roomWith needs at least one person');
  const roomId = await createRoom(owner.page, roomName, 'Private');
  const link = await inviteLink(owner.page);
  for (const guest of guests) {
    await openInviteLink(guest.page, link, roomName);
  }
  await conversationHeading(owner.page, roomName).waitFor({ timeout: CROSS_PEER_MS });
  return { roomId, link };
}

/** A file of random bytes; returns its SHA-256 (hex). */
export function randomFile(
  dir: string,
  name: string,
  bytes: number,
): { path: string; sha256: string } {
  const path = join(dir, name);
  const data = randomBytes(bytes);
  writeFileSync(path, data);
  return { path, sha256: createHash('sha256').update(data).digest('hex') };
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Room names are shown to everyone who sees the room (sidebar, public
 * list, notifications), so the relay refuses the characters that let a name
 * pretend to be another: bidi overrides and isolates ("notes\u202Etxt.exe"
 * reads "notesexe.txt") and invisible format characters ("general\u200B"
 * looks like "general"). The zero-width joiner and non-joiner stay allowed:
 * emoji sequences and Persian or Indic names need them.
 */
import { describe, expect, it } from 'vitest';
import { sharedRelay } from './shared-relay.ts';

const shared = sharedRelay();
const { user } = shared;

const SPOOFING_NAMES: [string, string][] = [
  ['a right-to-left override', 'a\u202Eb'],
  ['a left-to-right embedding', 'a\u202Ab'],
  ['a first-strong isolate', 'a\u2068b'],
  ['a right-to-left mark', 'a\u200Fb'],
  ['a zero-width space', 'general\u200B'],
  ['a byte-order mark', '\uFEFFgeneral'],
  ['a soft hyphen', 'gen\u00ADeral'],
  ['a word joiner', 'gen\u2060eral'],
];

describe('room names', () => {
  it('a name with a bidi override is refused with SCHEMA (ref echoed) and the relay stays up', async () => {
    const alice = await user();
    const reply = await alice.client.request({
      t: 'room.create',
      name: 'a\u202Eb',
      visibility: 'public',
      ref: 'rlo',
    });
    expect(reply).toMatchObject({ t: 'error', code: 'SCHEMA', ref: 'rlo' });
    // The same socket still answers, and so does the relay for someone new.
    await alice.client.expect('pong', { t: 'ping' });
    const bob = await user();
    await bob.client.expect('pong', { t: 'ping' });
  });

  for (const [what, name] of SPOOFING_NAMES) {
    it(`a name with ${what} is refused with SCHEMA`, async () => {
      const alice = await user();
      expect(await alice.client.expectError({ t: 'room.create', name, visibility: 'public' })).toBe(
        'SCHEMA',
      );
    });
  }

  it('a refused name creates no room: the public list does not show it', async () => {
    const alice = await user();
    await alice.client.expectError({ t: 'room.create', name: 'a\u202Eb', visibility: 'public' });
    const listed = await alice.client.expect('room.public.ok', { t: 'room.public' });
    expect(listed.rooms.map((r) => r.name)).not.toContain('a\u202Eb');
    const mine = await alice.client.expect('room.list.ok', { t: 'room.list' });
    expect(mine.rooms).toEqual([]);
  });

  it('names with joiners (emoji sequences, Persian) and other scripts are accepted as sent', async () => {
    const alice = await user();
    for (const name of ['👩\u200D💻 team', 'می\u200Cخواهم', '日本語の部屋', 'café ☕️']) {
      const created = await alice.client.expect('room.created', {
        t: 'room.create',
        name,
        visibility: 'public',
      });
      expect(created.room.name).toBe(name);
    }
  });
});

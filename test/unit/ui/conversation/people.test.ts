import { describe, expect, it } from 'vitest';
import { peopleOf } from '../../../../web/ui/conversation/people.ts';
import { fakeClient, messageView, PEOPLE } from './fake-client.ts';

describe('who is who in a conversation', () => {
  it('names authors from their pinned keys and knows my messages by their send state', () => {
    const mine = messageView({
      author: 'alice',
      ts: 1,
      text: 'mine',
      local: { state: 'sent', ackedBy: [] },
    });
    const theirs = messageView({ author: 'bob', ts: 2, text: 'theirs' });
    const { client } = fakeClient({ messages: [mine, theirs] });
    const people = peopleOf(client, 'room-1', [mine, theirs]);
    expect(people.myIk).toBe(PEOPLE.alice.ik);
    expect(people.myUsername).toBe('alice');
    expect(people.nameOf(PEOPLE.bob.ik)).toBe('bob');
    expect(people.isMine(mine)).toBe(true);
    expect(people.isMine(theirs)).toBe(false);
    // alice owns the fake room: she may delete others' messages.
    expect(people.canModerate).toBe(true);
  });

  it('shows an unknown author by a short key prefix rather than guessing', () => {
    const { client } = fakeClient({ messages: [] });
    expect(peopleOf(client, 'room-1', []).nameOf('zzzzzzzzzz')).toBe('Unknown (zzzzzz)');
  });
});

/** The choices a room is created with (and, for history, changed later by its owner). */
import type { RoomHistory } from '../../../shared/events/membership-schema.ts';
import type { Choice } from './choice-group.tsx';
import { tr } from './strings.ts';

export type Visibility = 'public' | 'private';

export function visibilityChoices(): Choice<Visibility>[] {
  return [
    { value: 'private', title: tr('rooms.private'), hint: tr('rooms.privateHint'), icon: 'lock' },
    { value: 'public', title: tr('rooms.public'), hint: tr('rooms.publicHint'), icon: 'hash' },
  ];
}

export function historyChoices(): Choice<RoomHistory>[] {
  return [
    {
      value: 'shared',
      title: tr('rooms.historyShared'),
      hint: tr('rooms.historySharedHint'),
      icon: 'history',
    },
    {
      value: 'since-join',
      title: tr('rooms.historySinceJoin'),
      hint: tr('rooms.historySinceJoinHint'),
      icon: 'clock',
    },
  ];
}

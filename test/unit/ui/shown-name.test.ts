/**
 * Names other people chose are shown with hidden characters revealed and
 * isolated in <bdi>, also inside translated sentences ("Leave {name}?").
 */
import type { VNode } from 'preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ts } from '../../../web/ui/app/strings.ts';
import { ShownName, withShownName } from '../../../web/ui/common/shown-name.tsx';
import { locale } from '../../../web/ui/i18n/i18n.ts';
import { clearNotices, notices } from '../../../web/ui/notifications/background-errors.ts';
import { announceRoomRemoval } from '../../../web/ui/notifications/room-removed.ts';

/** The text a node tree shows, rendering ShownName the way it renders. */
function textOf(node: unknown): string {
  if (node === null || node === undefined || typeof node === 'boolean') return '';
  if (typeof node === 'string' || typeof node === 'number') return String(node);
  if (Array.isArray(node)) return node.map(textOf).join('');
  const vnode = node as VNode<Record<string, unknown>>;
  if (typeof vnode.type === 'function') {
    return textOf((vnode.type as (props: unknown) => unknown)(vnode.props));
  }
  return textOf(vnode.props.children);
}

afterEach(() => {
  locale.value = 'en';
});

describe('shown names', () => {
  it('a name is a <bdi> with its bidi override shown as a marker', () => {
    const node = ShownName({ name: 'notes\u202Etxt.exe' }) as VNode<{ children: string }>;
    expect(node.type).toBe('bdi');
    expect(node.props.children).toBe('notes<U+202E>txt.exe');
  });

  it('a translated sentence keeps its words and isolates the name, in every language', () => {
    const leave = (name: string) => withShownName((n) => ts('shell.leaveTitle', { name: n }), name);
    const en = leave('a\u202Eb');
    expect(textOf(en)).toBe('Leave a<U+202E>b?');
    const isolated = (en as unknown[]).filter((part) => typeof part === 'object');
    expect(isolated).toHaveLength(1);
    locale.value = 'de';
    expect(textOf(leave('general'))).toBe('general verlassen?');
    locale.value = 'es';
    expect(textOf(leave('general'))).toBe('¿Salir de general?');
  });

  it('joiners in emoji and Persian names stay as they are', () => {
    for (const name of ['👩\u200D💻 team', 'می\u200Cخواهم']) {
      expect(textOf(ShownName({ name }))).toBe(name);
    }
  });
});

describe('room removal notices', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.stubGlobal('location', { hash: '' });
    clearNotices();
  });
  afterEach(() => {
    clearNotices();
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it('show a hidden character in the room’s name instead of hiding it', () => {
    announceRoomRemoval({ roomId: 'r1', roomName: 'general\u200B', reason: 'kicked' });
    expect(notices.value.map((n) => n.message)).toEqual(['You were removed from general<U+200B>']);
  });
});

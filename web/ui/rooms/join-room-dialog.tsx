/** Dialog "Join a room": paste an invite link or id, or pick a public room. */
import { useEffect, useId, useState } from 'preact/hooks';
import type { ParleyClient } from '../../core/client.ts';
import { navigate, parseInviteInput } from '../app/route.ts';
import { BusyButton } from '../common/busy-button.tsx';
import { Dialog } from '../common/dialog.tsx';
import { Field } from '../common/field.tsx';
import { ShownName } from '../common/shown-name.tsx';
import { useAction } from '../common/use-action.ts';
import { errorCode, errorMessage } from '../errors/error-message.ts';
import { intlLocale } from '../i18n/i18n.ts';
import { revealHidden } from '../trust/visible-text.ts';
import { tr } from './strings.ts';
import './rooms.css';

type PublicRoom = Awaited<ReturnType<ParleyClient['publicRooms']>>[number];

function memberCount(count: number): string {
  const rule = new Intl.PluralRules(intlLocale.value).select(count);
  return tr(rule === 'one' ? 'rooms.memberCount.one' : 'rooms.memberCount.other', {
    count: new Intl.NumberFormat(intlLocale.value).format(count),
  });
}

/** Joins and opens the room; "already a member" just opens it. */
export async function joinAndOpen(
  client: ParleyClient,
  roomId: string,
  invite: string | null,
): Promise<void> {
  try {
    await client.joinRoom(roomId, invite ?? undefined);
  } catch (error) {
    if (errorCode(error) !== 'ALREADY_MEMBER') throw error;
  }
  navigate({ name: 'room', id: roomId }, { replace: true });
}

export function JoinRoomDialog({ client, onClose }: { client: ParleyClient; onClose: () => void }) {
  const [input, setInput] = useState('');
  const [invalid, setInvalid] = useState(false);
  const [rooms, setRooms] = useState<PublicRoom[] | null>(null);
  const [listError, setListError] = useState<unknown>(null);
  const listId = useId();
  const joined = new Set(client.conversations.value.map((c) => c.convId));

  useEffect(() => {
    let live = true;
    client
      .publicRooms()
      .then((list) => live && setRooms(list))
      .catch((error) => live && setListError(error));
    return () => {
      live = false;
    };
  }, [client]);

  const join = useAction(async (roomId: string, invite: string | null) => {
    await joinAndOpen(client, roomId, invite);
    onClose();
  });

  return (
    <Dialog title={tr('rooms.joinTitle')} onClose={onClose}>
      <form
        class="form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          const parsed = parseInviteInput(input);
          if (!parsed) {
            setInvalid(true);
            return;
          }
          void join.run(parsed.roomId, parsed.invite);
        }}
      >
        <Field
          label={tr('rooms.inviteInput')}
          hint={tr('rooms.inviteHint')}
          autoFocus
          autocomplete="off"
          spellcheck={false}
          value={input}
          error={invalid ? tr('rooms.badInvite') : null}
          onInput={(event) => {
            setInput(event.currentTarget.value);
            setInvalid(false);
          }}
        />
        {join.error ? (
          <p class="form-error" role="alert">
            {errorMessage(join.error)}
          </p>
        ) : null}
        <BusyButton busy={join.busy} busyText={tr('rooms.joining')} disabled={!input.trim()}>
          {tr('rooms.join')}
        </BusyButton>
      </form>
      <div class="rm-public">
        <h3 class="rm-public-title" id={listId}>
          {tr('rooms.publicRooms')}
        </h3>
        {listError ? (
          <p class="form-error">{errorMessage(listError)}</p>
        ) : rooms === null ? (
          <p class="field-hint">{tr('rooms.loadingPublic')}</p>
        ) : (
          <ul class="rm-public-list" aria-labelledby={listId}>
            {rooms.length === 0 && <li class="field-hint">{tr('rooms.noPublicRooms')}</li>}
            {rooms.map((room) => (
              <li key={room.id} class="rm-public-item">
                <span class="rm-public-name">
                  <span class="rm-hash" aria-hidden="true">
                    #
                  </span>
                  <ShownName name={room.name} />
                  <span class="field-hint">{memberCount(room.memberCount)}</span>
                </span>
                {joined.has(room.id) ? (
                  <button
                    type="button"
                    class="btn btn-small"
                    onClick={() => {
                      onClose();
                      navigate({ name: 'room', id: room.id });
                    }}
                  >
                    {tr('rooms.joined')}
                  </button>
                ) : (
                  <button
                    type="button"
                    class="btn btn-small"
                    disabled={join.busy}
                    aria-label={tr('rooms.joinNamed', { name: revealHidden(room.name) })}
                    onClick={() => void join.run(room.id, null)}
                  >
                    {tr('rooms.join')}
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </div>
    </Dialog>
  );
}

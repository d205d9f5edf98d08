/**
 * Dialog "New room": a name, public or private, and whether people who join
 * later may read what came before; opens the room when created. A name with
 * invisible or direction-changing characters is refused here with a reason
 * (the relay refuses it too, with a bare SCHEMA code).
 */
import { useState } from 'preact/hooks';
import type { RoomHistory } from '../../../shared/events/membership-schema.ts';
import type { ParleyClient } from '../../core/client.ts';
import { navigate } from '../app/route.ts';
import { BusyButton } from '../common/busy-button.tsx';
import { Dialog } from '../common/dialog.tsx';
import { Field } from '../common/field.tsx';
import { useAction } from '../common/use-action.ts';
import { errorMessage } from '../errors/error-message.ts';
import { revealHidden } from '../trust/visible-text.ts';
import { ChoiceGroup } from './choice-group.tsx';
import { rememberInvite } from './invites.ts';
import { historyChoices, type Visibility, visibilityChoices } from './room-choices.ts';
import { tr } from './strings.ts';
import './rooms.css';

export function NewRoomDialog({ client, onClose }: { client: ParleyClient; onClose: () => void }) {
  const [name, setName] = useState('');
  const [visibility, setVisibility] = useState<Visibility>('private');
  const [history, setHistory] = useState<RoomHistory>('shared');
  const [hiddenIn, setHiddenIn] = useState<string | null>(null);
  const create = useAction(async () => {
    const created = await client.createRoom(name.trim(), visibility, { history });
    if (created.invite) rememberInvite(created.roomId, created.invite);
    onClose();
    navigate({ name: 'room', id: created.roomId });
  });
  return (
    <Dialog title={tr('rooms.newTitle')} onClose={onClose}>
      <form
        class="form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          const trimmed = name.trim();
          const revealed = revealHidden(trimmed);
          if (revealed !== trimmed) {
            setHiddenIn(revealed);
            return;
          }
          void create.run();
        }}
      >
        <Field
          label={tr('rooms.name')}
          hint={tr('rooms.nameHint')}
          required
          maxLength={64}
          autoFocus
          value={name}
          onInput={(event) => {
            setName(event.currentTarget.value);
            setHiddenIn(null);
          }}
        />
        <ChoiceGroup
          label={tr('rooms.visibility')}
          name="room-visibility"
          choices={visibilityChoices()}
          value={visibility}
          onChange={setVisibility}
        />
        <ChoiceGroup
          label={tr('rooms.history')}
          name="room-history"
          choices={historyChoices()}
          value={history}
          onChange={setHistory}
        />
        {hiddenIn !== null || create.error ? (
          <p class="form-error" role="alert">
            {hiddenIn !== null
              ? tr('rooms.nameHidden', { name: hiddenIn })
              : errorMessage(create.error)}
          </p>
        ) : null}
        <BusyButton busy={create.busy} busyText={tr('rooms.creating')} disabled={!name.trim()}>
          {tr('rooms.create')}
        </BusyButton>
      </form>
    </Dialog>
  );
}

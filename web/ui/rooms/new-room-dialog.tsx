/** Dialog "New room": a name and public or private; opens the room when created. */
import { useId, useState } from 'preact/hooks';
import type { ParleyClient } from '../../core/client.ts';
import { navigate } from '../app/route.ts';
import { BusyButton } from '../common/busy-button.tsx';
import { Dialog } from '../common/dialog.tsx';
import { Field } from '../common/field.tsx';
import { Icon } from '../common/icon.tsx';
import { useAction } from '../common/use-action.ts';
import { errorMessage } from '../errors/error-message.ts';
import { rememberInvite } from './invites.ts';
import { tr } from './strings.ts';
import './rooms.css';

export function NewRoomDialog({ client, onClose }: { client: ParleyClient; onClose: () => void }) {
  const [name, setName] = useState('');
  const [visibility, setVisibility] = useState<'public' | 'private'>('private');
  const legendId = useId();
  const create = useAction(async () => {
    const created = await client.createRoom(name.trim(), visibility);
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
          onInput={(event) => setName(event.currentTarget.value)}
        />
        <div class="field">
          <span class="field-label" id={legendId}>
            {tr('rooms.visibility')}
          </span>
          <div class="rm-choices" role="radiogroup" aria-labelledby={legendId}>
            {(['private', 'public'] as const).map((choice) => (
              <label key={choice} class="rm-choice">
                <input
                  type="radio"
                  name="room-visibility"
                  value={choice}
                  checked={visibility === choice}
                  aria-labelledby={`${legendId}-${choice}-title`}
                  aria-describedby={`${legendId}-${choice}`}
                  onChange={() => setVisibility(choice)}
                />
                <Icon name={choice === 'private' ? 'lock' : 'hash'} size={18} />
                <span class="rm-choice-text">
                  <span class="rm-choice-title" id={`${legendId}-${choice}-title`}>
                    {tr(choice === 'private' ? 'rooms.private' : 'rooms.public')}
                  </span>
                  <span class="field-hint" id={`${legendId}-${choice}`}>
                    {tr(choice === 'private' ? 'rooms.privateHint' : 'rooms.publicHint')}
                  </span>
                </span>
              </label>
            ))}
          </div>
        </div>
        {create.error ? (
          <p class="form-error" role="alert">
            {errorMessage(create.error)}
          </p>
        ) : null}
        <BusyButton busy={create.busy} busyText={tr('rooms.creating')} disabled={!name.trim()}>
          {tr('rooms.create')}
        </BusyButton>
      </form>
    </Dialog>
  );
}

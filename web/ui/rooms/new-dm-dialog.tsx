/** Dialog "New direct message": a username; opens (or finds) the DM. */
import { useState } from 'preact/hooks';
import type { ParleyClient } from '../../core/client.ts';
import { navigate } from '../app/route.ts';
import { BusyButton } from '../common/busy-button.tsx';
import { Dialog } from '../common/dialog.tsx';
import { Field } from '../common/field.tsx';
import { useAction } from '../common/use-action.ts';
import { errorMessage } from '../errors/error-message.ts';
import { tr } from './strings.ts';

export function NewDmDialog({ client, onClose }: { client: ParleyClient; onClose: () => void }) {
  const [username, setUsername] = useState('');
  const start = useAction(async () => {
    const convId = await client.openDm(username.trim());
    onClose();
    navigate({ name: 'dm', id: convId });
  });
  return (
    <Dialog title={tr('rooms.dmTitle')} onClose={onClose}>
      <form
        class="form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void start.run();
        }}
      >
        <Field
          label={tr('rooms.dmUsername')}
          hint={tr('rooms.dmHint')}
          autoFocus
          autocomplete="off"
          autocapitalize="none"
          spellcheck={false}
          value={username}
          onInput={(event) => setUsername(event.currentTarget.value)}
        />
        {start.error ? (
          <p class="form-error" role="alert">
            {errorMessage(start.error)}
          </p>
        ) : null}
        <BusyButton busy={start.busy} busyText={tr('rooms.dmStarting')} disabled={!username.trim()}>
          {tr('rooms.dmStart')}
        </BusyButton>
      </form>
    </Dialog>
  );
}

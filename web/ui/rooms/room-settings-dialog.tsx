/**
 * Dialog "Room settings" (owner only): the room's history setting, read from
 * its signed membership chain and changed by signing a `history` entry. A
 * change applies to people who join afterwards; what members already hold
 * stays theirs (the chain cannot take back what was handed out).
 */
import { useState } from 'preact/hooks';
import type { RoomHistory } from '../../../shared/events/membership-schema.ts';
import type { ParleyClient } from '../../core/client.ts';
import { ts } from '../app/strings.ts';
import { BusyButton } from '../common/busy-button.tsx';
import { Dialog } from '../common/dialog.tsx';
import { Icon } from '../common/icon.tsx';
import { useAction } from '../common/use-action.ts';
import { errorMessage } from '../errors/error-message.ts';
import { ChoiceGroup } from './choice-group.tsx';
import { historyChoices } from './room-choices.ts';
import { tr } from './strings.ts';
import './rooms.css';

/** The room's history setting by its chain (a signal read: re-renders on change); null until known. */
export function roomHistory(client: ParleyClient, roomId: string): RoomHistory | null {
  return client.room(roomId)?.chain.state.value?.history ?? null;
}

/** Only the owner may change room settings (the chain refuses anyone else's entry anyway). */
export function isRoomOwner(client: ParleyClient, roomId: string): boolean {
  const chain = client.room(roomId)?.chain;
  if (!chain) return false;
  // Read the state signal so the caller re-renders when the chain arrives or changes.
  return chain.state.value !== null && chain.roleOf(chain.myIk) === 'owner';
}

export function RoomSettingsDialog({
  client,
  roomId,
  onClose,
}: {
  client: ParleyClient;
  roomId: string;
  onClose: () => void;
}) {
  const current = roomHistory(client, roomId);
  const [chosen, setChosen] = useState<RoomHistory | null>(null);
  const [saved, setSaved] = useState(false);
  const value = chosen ?? current ?? 'shared';
  const save = useAction(async () => {
    if (chosen && chosen !== current) await client.setRoomHistory(roomId, chosen);
    setChosen(null);
    setSaved(true);
  });
  return (
    <Dialog title={ts('shell.roomSettings')} onClose={onClose}>
      <form
        class="form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void save.run();
        }}
      >
        {current === null ? <p class="dialog-text">{tr('rooms.settingsLoading')}</p> : null}
        <ChoiceGroup
          label={tr('rooms.history')}
          name="room-settings-history"
          choices={historyChoices()}
          value={value}
          disabled={current === null || save.busy}
          onChange={(next) => {
            setChosen(next);
            setSaved(false);
          }}
        />
        <p class="field-hint rm-settings-note">{tr('rooms.historyChangeNote')}</p>
        {save.error ? (
          <p class="form-error" role="alert">
            {errorMessage(save.error)}
          </p>
        ) : null}
        <p class="rm-settings-status" role="status">
          {saved && !save.busy ? (
            <>
              <Icon name="check" size={16} />
              {tr('rooms.saved')}
            </>
          ) : null}
        </p>
        <BusyButton
          busy={save.busy}
          busyText={tr('rooms.saving')}
          disabled={current === null || chosen === null || chosen === current}
        >
          {tr('rooms.save')}
        </BusyButton>
      </form>
    </Dialog>
  );
}

/**
 * What SHELL puts in a conversation's header. Rooms: "Copy invite link"
 * (copies, says so, and shows the link in a readonly textbox to read or
 * select by hand), "Members" (toggles the members panel) and "Leave room"
 * (after a confirmation; not for the owner, who cannot leave), and for the
 * owner "Room settings" (history). DMs:
 * "Verify {username}" (the safety number).
 */
import { useState } from 'preact/hooks';
import type { ParleyClient } from '../../core/client.ts';
import { navigate } from '../app/route.ts';
import { ts } from '../app/strings.ts';
import { ConfirmDialog } from '../common/confirm-dialog.tsx';
import { copyText } from '../common/copy-text.ts';
import { Icon } from '../common/icon.tsx';
import { withShownName } from '../common/shown-name.tsx';
import { tc } from '../common/strings.ts';
import { useAction } from '../common/use-action.ts';
import { errorMessage } from '../errors/error-message.ts';
import { inviteLinkFor } from './invites.ts';
import { isRoomOwner, RoomSettingsDialog } from './room-settings-dialog.tsx';
import './rooms.css';

function InviteButton({ client, roomId }: { client: ParleyClient; roomId: string }) {
  const [link, setLink] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [open, setOpen] = useState(false);
  const copy = useAction(async () => {
    const url = await inviteLinkFor(client, roomId);
    setLink(url);
    setOpen(true);
    setCopied(await copyText(url));
  });
  return (
    <span class="rm-invite-anchor">
      <button
        type="button"
        class="icon-btn rm-header-btn"
        aria-label={ts('shell.copyInvite')}
        title={ts('shell.copyInvite')}
        aria-expanded={open ? 'true' : 'false'}
        disabled={copy.busy}
        onClick={() => void copy.run()}
      >
        <Icon name="link" />
      </button>
      {open || copy.error ? (
        <div class="rm-invite-pop">
          {copy.error ? (
            <p class="form-error" role="alert">
              {errorMessage(copy.error)}
            </p>
          ) : (
            <>
              <p class="rm-invite-status" role="status">
                {copied ? (
                  <>
                    <Icon name="check" size={16} />
                    {ts('shell.inviteCopied')}
                  </>
                ) : null}
              </p>
              <label class="field">
                <span class="field-label">{ts('shell.inviteLink')}</span>
                <input
                  class="input"
                  readOnly
                  value={link ?? ''}
                  onFocus={(event) => event.currentTarget.select()}
                  onKeyDown={(event) => {
                    if (event.key === 'Escape') setOpen(false);
                  }}
                />
              </label>
            </>
          )}
          <div class="form-actions">
            <button
              type="button"
              class="btn btn-small"
              onClick={() => {
                setOpen(false);
                copy.clearError();
              }}
            >
              {tc('common.close')}
            </button>
          </div>
        </div>
      ) : null}
    </span>
  );
}

function LeaveDialog({
  client,
  roomId,
  name,
  onClose,
}: {
  client: ParleyClient;
  roomId: string;
  name: string;
  onClose: () => void;
}) {
  return (
    <ConfirmDialog
      title={withShownName((shown) => ts('shell.leaveTitle', { name: shown }), name)}
      body={ts('shell.leaveBody')}
      confirmLabel={ts('shell.leave')}
      busyLabel={ts('shell.leaving')}
      alert
      onConfirm={async () => {
        await client.leaveRoom(roomId);
        onClose();
        navigate({ name: 'home' }, { replace: true });
      }}
      onClose={onClose}
    />
  );
}

export function RoomActions({
  client,
  roomId,
  name,
  membersOpen,
  onToggleMembers,
}: {
  client: ParleyClient;
  roomId: string;
  name: string;
  membersOpen: boolean;
  onToggleMembers: () => void;
}) {
  const [leaving, setLeaving] = useState(false);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const owner = isRoomOwner(client, roomId);
  return (
    <>
      <InviteButton key={roomId} client={client} roomId={roomId} />
      <button
        type="button"
        class="icon-btn rm-header-btn"
        aria-label={ts('shell.members')}
        title={ts('shell.members')}
        aria-expanded={membersOpen ? 'true' : 'false'}
        onClick={onToggleMembers}
      >
        <Icon name="users" />
      </button>
      {owner ? (
        <button
          type="button"
          class="icon-btn rm-header-btn"
          aria-label={ts('shell.roomSettings')}
          title={ts('shell.roomSettings')}
          aria-haspopup="dialog"
          onClick={() => setSettingsOpen(true)}
        >
          <Icon name="settings" />
        </button>
      ) : null}
      {owner ? null : (
        // The owner cannot leave their room (relay and chain both refuse): no button that always fails.
        <button
          type="button"
          class="icon-btn rm-header-btn"
          aria-label={ts('shell.leaveRoom')}
          title={ts('shell.leaveRoom')}
          onClick={() => setLeaving(true)}
        >
          <Icon name="leave" />
        </button>
      )}
      {settingsOpen && owner && (
        <RoomSettingsDialog
          client={client}
          roomId={roomId}
          onClose={() => setSettingsOpen(false)}
        />
      )}
      {leaving && (
        <LeaveDialog
          client={client}
          roomId={roomId}
          name={name}
          onClose={() => setLeaving(false)}
        />
      )}
    </>
  );
}

export function DmActions({ username, onVerify }: { username: string; onVerify: () => void }) {
  return (
    <button type="button" class="btn btn-small rm-verify" onClick={onVerify}>
      <Icon name="shield" size={16} />
      <span class="rm-verify-text">
        {withShownName((shown) => ts('shell.verify', { username: shown }), username)}
      </span>
    </button>
  );
}

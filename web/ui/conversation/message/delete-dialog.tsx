/** "Delete message?": the message quoted, Cancel and Delete (SHELL's modal Dialog). */
import type { MessageView } from '../../../core/history/message-view.ts';
import { Dialog } from '../../common/dialog.tsx';
import { tc } from '../strings.ts';
import { MessagePreview } from './message-parts.tsx';

export function DeleteDialog(props: {
  message: MessageView;
  author: string;
  onCancel(): void;
  onConfirm(): void;
}) {
  return (
    <Dialog title={tc('conv.deleteTitle')} onClose={props.onCancel}>
      <p class="conv-dialog-text">{tc('conv.deleteBody')}</p>
      <MessagePreview message={props.message} author={props.author} />
      <div class="form-actions">
        <button type="button" class="btn" onClick={props.onCancel}>
          {tc('conv.cancel')}
        </button>
        <button type="button" class="btn btn-danger" onClick={props.onConfirm}>
          {tc('conv.deleteConfirm')}
        </button>
      </div>
    </Dialog>
  );
}

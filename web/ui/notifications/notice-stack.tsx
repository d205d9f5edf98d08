/**
 * Where background failures appear: bottom corner, above everything but
 * dialogs. The region is a polite status that is always in the DOM, so a
 * screen reader announces a notice when it is added (a live region created
 * together with its content is often not announced).
 */

import { ts } from '../app/strings.ts';
import { Icon } from '../common/icon.tsx';
import { dismissNotice, notices } from './background-errors.ts';
import './notifications.css';

export function NoticeStack() {
  const shown = notices.value;
  return (
    <div class="nt-stack" role="status" aria-live="polite" aria-label={ts('shell.notices')}>
      {shown.map((notice) => (
        <div key={notice.id} class="nt-notice">
          <span class="nt-notice-icon" aria-hidden="true">
            <Icon name="alert" size={18} />
          </span>
          <p class="nt-notice-text">
            {notice.title ? <strong class="nt-notice-title">{notice.title}</strong> : null}
            {notice.message}
          </p>
          <button
            type="button"
            class="icon-btn nt-notice-close"
            aria-label={ts('shell.dismiss')}
            title={ts('shell.dismiss')}
            onClick={() => dismissNotice(notice.id)}
          >
            <Icon name="close" size={18} />
          </button>
        </div>
      ))}
    </div>
  );
}

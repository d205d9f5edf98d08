/** Where one of my messages stands: the mark beside it ("Sending" … "Read"). */
import type { MessageView } from '../../../core/history/message-view.ts';

export type Delivery = 'sending' | 'sent' | 'delivered' | 'read' | 'failed';

export function deliveryOf(message: MessageView): Delivery {
  if (message.local?.state === 'failed') return 'failed';
  if (message.local?.state === 'pending') return 'sending';
  const receipts = Object.values(message.receipts);
  if (receipts.includes('read')) return 'read';
  if (receipts.includes('delivered') || (message.local?.ackedBy.length ?? 0) > 0) {
    return 'delivered';
  }
  return 'sent';
}

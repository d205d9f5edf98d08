/** What every conversation's file part shares (built once by FileService). */
import type { FileSettings } from './file-settings.ts';
import type { TransferBoard } from './transfer-board.ts';
import type { TransferStore } from './transfer-store.ts';

export interface FileHost {
  /** This device: its own offers coming back (backfill, other devices) are not fetched. */
  readonly deviceId: string;
  readonly settings: FileSettings;
  readonly board: TransferBoard;
  readonly store: TransferStore;
  /** The relay owner's max file size (settings, else the relay's /config); null if unknown. */
  maxFileBytes(): Promise<number | null>;
  reportError(error: unknown): void;
}

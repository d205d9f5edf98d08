/**
 * Whether desktop notifications are wanted (a local preference, off until
 * the person turns it on) and the browser's permission. Permission is only
 * ever requested from a click: browsers ignore or penalise prompts on load.
 */
import { signal } from '@preact/signals';
import { readSetting, writeSetting } from '../app/preferences.ts';

const ENABLED_KEY = 'parley.notifications';
const ASKED_KEY = 'parley.notifications.asked';
const PREVIEW_KEY = 'parley.notifications.preview';

export type PermissionState = NotificationPermission | 'unsupported';

export function notificationPermission(): PermissionState {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

export const desktopNotifications = signal(readSetting(ENABLED_KEY) === 'on');
export const permission = signal<PermissionState>('default');

/**
 * Whether a notification shows the message's text. Off unless chosen: the
 * OS keeps notifications in its notification centre and shows them on the
 * lock screen, where decrypted text would sit for anyone to read.
 */
export const notifyPreview = signal(readSetting(PREVIEW_KEY) === 'on');

export function setNotifyPreview(on: boolean): void {
  notifyPreview.value = on;
  writeSetting(PREVIEW_KEY, on ? 'on' : 'off');
}

export function initDesktopPreference(): void {
  permission.value = notificationPermission();
}

/** Turns notifications on (asking the browser if needed) or off; resolves to the new state. */
export async function setDesktopNotifications(on: boolean): Promise<boolean> {
  writeSetting(ASKED_KEY, 'yes');
  if (!on || permission.value === 'unsupported') {
    desktopNotifications.value = false;
    writeSetting(ENABLED_KEY, 'off');
    return false;
  }
  if (permission.value !== 'granted') {
    permission.value = await Notification.requestPermission();
  }
  const enabled = permission.value === 'granted';
  desktopNotifications.value = enabled;
  writeSetting(ENABLED_KEY, enabled ? 'on' : 'off');
  return enabled;
}

/** The inline prompt shows once: after a choice (or "not now") it stays away. */
export function alreadyAsked(): boolean {
  return readSetting(ASKED_KEY) === 'yes' || permission.value !== 'default';
}

export function markAsked(): void {
  writeSetting(ASKED_KEY, 'yes');
}

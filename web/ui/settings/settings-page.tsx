/**
 * Settings as a page in the main pane (route #/settings): theme, language,
 * notifications and privacy switches, this account's devices, sign-out.
 * Every change applies at once; there is no Save button. A page rather than
 * a modal, so the sidebar stays usable and a reload on #/settings does not
 * trap anyone behind a dialog; Escape or Close goes back, and focus goes
 * back to what opened Settings (see returnFocus).
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { Engine } from '../app/engine.ts';
import { THEMES, type ThemeChoice, theme } from '../app/preferences.ts';
import { loadEngine } from '../app/session.ts';
import { Icon } from '../common/icon.tsx';
import { tc } from '../common/strings.ts';
import { intlLocale, isLocale, LOCALE_NAMES, LOCALES, locale } from '../i18n/i18n.ts';
import {
  desktopNotifications,
  notifyPreview,
  permission,
  setDesktopNotifications,
  setNotifyPreview,
} from '../notifications/desktop-preference.ts';
import { type AccountDevice, otherDevices } from './account-devices.ts';
import { focusedElement, returnFocus } from './return-focus.ts';
import { SignOutDialog } from './sign-out-dialog.tsx';
import { tset } from './strings.ts';
import './settings.css';

const THEME_LABEL = {
  light: 'settings.theme.light',
  dark: 'settings.theme.dark',
  system: 'settings.theme.system',
  contrast: 'settings.theme.contrast',
} as const satisfies Record<ThemeChoice, Parameters<typeof tset>[0]>;

function Section({ title, children }: { title: string; children: ComponentChildren }) {
  const id = useId();
  return (
    <section class="set-section" aria-labelledby={id}>
      <h3 class="set-heading" id={id}>
        {title}
      </h3>
      {children}
    </section>
  );
}

function Switch({
  label,
  hint,
  checked,
  disabled = false,
  onChange,
}: {
  label: string;
  hint: string;
  checked: boolean;
  disabled?: boolean;
  onChange: (on: boolean) => void;
}) {
  const id = useId();
  return (
    <div class="set-switch-row">
      <div class="set-switch-text">
        <label for={id} class="set-switch-label">
          {label}
        </label>
        <p class="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      </div>
      <input
        id={id}
        type="checkbox"
        class="set-switch"
        checked={checked}
        disabled={disabled}
        aria-describedby={`${id}-hint`}
        onChange={(event) => onChange(event.currentTarget.checked)}
      />
    </div>
  );
}

function ThemePicker() {
  const labelId = useId();
  return (
    <div class="field">
      <span class="field-label" id={labelId}>
        {tset('settings.theme')}
      </span>
      <div class="set-themes" role="radiogroup" aria-labelledby={labelId}>
        {THEMES.map((choice) => (
          <label key={choice} class={`set-theme set-theme-${choice}`}>
            <input
              type="radio"
              name="parley-theme"
              value={choice}
              checked={theme.value === choice}
              onChange={() => {
                theme.value = choice;
              }}
            />
            <span class="set-theme-swatch" aria-hidden="true" />
            <span>{tset(THEME_LABEL[choice])}</span>
          </label>
        ))}
      </div>
    </div>
  );
}

function LanguagePicker() {
  const id = useId();
  return (
    <div class="field">
      <label class="field-label" for={id}>
        {tset('settings.language')}
      </label>
      <select
        id={id}
        class="input set-select"
        value={locale.value}
        onChange={(event) => {
          const next = event.currentTarget.value;
          if (isLocale(next)) locale.value = next;
        }}
      >
        {LOCALES.map((code) => (
          <option key={code} value={code} lang={code}>
            {LOCALE_NAMES[code]}
          </option>
        ))}
      </select>
    </div>
  );
}

function PrivacySwitches({ engine }: { engine: Engine }) {
  const privacy = engine.client.privacy.value;
  const denied = permission.value === 'denied';
  const unsupported = permission.value === 'unsupported';
  return (
    <>
      <Switch
        label={tset('settings.desktop')}
        hint={
          unsupported
            ? tset('settings.desktopUnsupported')
            : denied
              ? tset('settings.desktopDenied')
              : tset('settings.desktopHint')
        }
        checked={desktopNotifications.value}
        disabled={unsupported || (denied && !desktopNotifications.value)}
        onChange={(on) => void setDesktopNotifications(on)}
      />
      <Switch
        label={tset('settings.notifyPreview')}
        hint={tset('settings.notifyPreviewHint')}
        checked={notifyPreview.value}
        onChange={setNotifyPreview}
      />
      <Switch
        label={tset('settings.typing')}
        hint={tset('settings.typingHint')}
        checked={privacy.sendTypingIndicators}
        onChange={(on) => void engine.client.setPrivacy({ sendTypingIndicators: on })}
      />
      <Switch
        label={tset('settings.receipts')}
        hint={tset('settings.receiptsHint')}
        checked={privacy.sendReadReceipts}
        onChange={(on) => void engine.client.setPrivacy({ sendReadReceipts: on })}
      />
    </>
  );
}

function Devices({ engine }: { engine: Engine }) {
  const headingId = useId();
  const [remembered, setRemembered] = useState<boolean | null>(null);
  useEffect(() => {
    let live = true;
    void loadEngine()
      .then((m) => m.findStoredAccount())
      .then((stored) => {
        if (live) setRemembered(stored?.remembered ?? null);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  const [others, setOthers] = useState<AccountDevice[]>([]);
  useEffect(() => {
    let live = true;
    otherDevices(engine.client)
      .then((list) => {
        if (live) setOthers(list);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [engine]);
  const deviceId = engine.session.account.deviceId;
  const date = new Intl.DateTimeFormat(intlLocale.value, { dateStyle: 'medium' });
  return (
    <section class="set-section" aria-labelledby={headingId}>
      <h3 class="set-heading" id={headingId}>
        {tset('settings.devices')}
      </h3>
      <ul class="set-devices" aria-labelledby={headingId}>
        <li class="set-device">
          <Icon name="shield" />
          <div>
            <div class="set-device-name">{tset('settings.thisDevice')}</div>
            <div class="field-hint">
              {tset('settings.deviceDetails', { id: deviceId.slice(0, 8) })}
              {remembered === null
                ? ''
                : ` · ${tset(remembered ? 'settings.remembered' : 'settings.notRemembered')}`}
            </div>
          </div>
        </li>
        {others.map((device) => (
          <li class="set-device" key={device.deviceId}>
            <Icon name="shield" />
            <div>
              <div class="set-device-name">{tset('settings.otherDevice')}</div>
              <div class="field-hint">
                {tset('settings.deviceDetails', { id: device.deviceId.slice(0, 8) })}
                {` · ${tset('settings.deviceAdded', { date: date.format(device.createdMs) })}`}
              </div>
            </div>
          </li>
        ))}
      </ul>
      <p class="field-hint">{tset('settings.devicesHint')}</p>
    </section>
  );
}

export function SettingsPage({ engine, onClose }: { engine: Engine; onClose: () => void }) {
  const [confirmSignOut, setConfirmSignOut] = useState(false);
  const titleId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  // Read while rendering: on phones the sidebar (and the button in it) is hidden
  // as soon as this page shows, which drops its focus before any effect runs.
  const [opener] = useState(focusedElement);
  useEffect(() => {
    heading.current?.focus();
    // After the route's next screen has rendered.
    return () => void setTimeout(() => returnFocus(opener), 0);
  }, [opener]);
  // Hand focus back before leaving, in the same task as the key or click: the
  // route changes on the next hashchange, and until the timeout above runs focus
  // would sit on <body>. On phones the opener is hidden; the timeout then decides.
  const close = () => {
    if (opener?.isConnected) opener.focus({ preventScroll: true });
    onClose();
  };
  return (
    <section
      class="set-page"
      aria-labelledby={titleId}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && !confirmSignOut) close();
      }}
    >
      <header class="set-page-head">
        <h1 class="set-page-title" id={titleId} tabIndex={-1} ref={heading}>
          {tset('settings.title')}
        </h1>
        <button
          type="button"
          class="icon-btn"
          aria-label={tc('common.close')}
          title={tc('common.close')}
          onClick={close}
        >
          <Icon name="close" />
        </button>
      </header>
      <div class="set-body">
        <Section title={tset('settings.appearance')}>
          <ThemePicker />
          <LanguagePicker />
        </Section>
        <Section title={tset('settings.privacy')}>
          <PrivacySwitches engine={engine} />
        </Section>
        <Devices engine={engine} />
        <Section title={tset('settings.account')}>
          <div class="set-account">
            <span>
              {tset('settings.signedInAs', { username: engine.session.account.username })}
            </span>
            <button type="button" class="btn" onClick={() => setConfirmSignOut(true)}>
              <Icon name="leave" size={18} />
              {tset('settings.signOut')}
            </button>
          </div>
        </Section>
      </div>
      {confirmSignOut && <SignOutDialog onClose={() => setConfirmSignOut(false)} />}
    </section>
  );
}

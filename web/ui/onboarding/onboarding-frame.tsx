/** The calm card every pre-sign-in screen sits in: brand, one task, nothing else. */
import type { ComponentChildren } from 'preact';
import { Icon } from '../common/icon.tsx';
import { to } from './strings.ts';
import './onboarding.css';

export function BrandMark() {
  return (
    <div class="ob-brand" aria-hidden="true">
      <span class="ob-logo">
        <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true" focusable="false">
          <path
            d="M6 8.5A4.5 4.5 0 0 1 10.5 4h11A4.5 4.5 0 0 1 26 8.5v8a4.5 4.5 0 0 1-4.5 4.5H14l-6 5v-5.3A4.5 4.5 0 0 1 6 16.5z"
            fill="currentColor"
          />
        </svg>
      </span>
      <span class="ob-wordmark">Parley</span>
    </div>
  );
}

export function OnboardingFrame({ children }: { children: ComponentChildren }) {
  return (
    <div class="ob-page">
      <main class="ob-card">
        <BrandMark />
        {children}
      </main>
      <ul class="ob-promises">
        <li>
          <Icon name="lock" size={16} />
          {to('onboarding.e2ee')}
        </li>
        <li>
          <Icon name="users" size={16} />
          {to('onboarding.p2p')}
        </li>
        <li>
          <Icon name="shield" size={16} />
          {to('onboarding.noTracking')}
        </li>
      </ul>
    </div>
  );
}

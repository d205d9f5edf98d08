/**
 * The first screen: create an account or sign in, as two tabs (WAI-ARIA
 * tabs pattern: arrow keys move between them, only the selected panel is
 * in the page).
 */
import { useState } from 'preact/hooks';
import { CreateAccountForm } from './create-account-form.tsx';
import { OnboardingFrame } from './onboarding-frame.tsx';
import { SignInForm } from './sign-in-form.tsx';
import { to } from './strings.ts';

type Tab = 'create' | 'signIn';
const TABS: Tab[] = ['create', 'signIn'];

export function Onboarding() {
  const [tab, setTab] = useState<Tab>('create');
  const select = (next: Tab) => {
    setTab(next);
    document.getElementById(`ob-tab-${next}`)?.focus();
  };
  return (
    <OnboardingFrame>
      <h1 class="ob-title">{to('onboarding.welcome')}</h1>
      <p class="ob-tagline">{to('onboarding.tagline')}</p>
      <div
        class="ob-tabs"
        role="tablist"
        aria-label={to('onboarding.tabs')}
        onKeyDown={(event) => {
          if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
          event.preventDefault();
          select(TABS[(TABS.indexOf(tab) + 1) % TABS.length] ?? 'create');
        }}
      >
        {TABS.map((id) => (
          <button
            key={id}
            type="button"
            role="tab"
            id={`ob-tab-${id}`}
            class="ob-tab"
            aria-selected={tab === id ? 'true' : 'false'}
            aria-controls={`ob-panel-${id}`}
            tabIndex={tab === id ? 0 : -1}
            onClick={() => setTab(id)}
          >
            {to(id === 'create' ? 'onboarding.tab.create' : 'onboarding.tab.signIn')}
          </button>
        ))}
      </div>
      <div
        role="tabpanel"
        id={`ob-panel-${tab}`}
        aria-labelledby={`ob-tab-${tab}`}
        class="ob-panel"
      >
        {tab === 'create' ? <CreateAccountForm /> : <SignInForm />}
      </div>
    </OnboardingFrame>
  );
}

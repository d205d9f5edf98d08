/**
 * Entry point. Theme and language apply before the first render (no flash
 * of the wrong theme); the app paints at once, then the engine and the
 * signed-in shell load in parallel as their own chunks (TARGETS.md P7).
 */
import { render } from 'preact';
import './theme.css';
import { App, loadShell } from './app/app.tsx';
import { watchBrowserOnline } from './app/connection.ts';
import { initPreferences } from './app/preferences.ts';
import { initRouting } from './app/route.ts';
import { boot, loadEngine, phase } from './app/session.ts';
import { initDesktopPreference } from './notifications/desktop-preference.ts';

initPreferences();
initRouting();
initDesktopPreference();
watchBrowserOnline();

const root = document.getElementById('app');
if (root) render(<App />, root);

// After the first frame: start fetching the heavy chunks, then find out who we are.
requestAnimationFrame(() => {
  setTimeout(() => {
    void loadEngine().catch(() => undefined);
    void loadShell().catch(() => undefined);
    boot().catch((error: unknown) => {
      phase.value = { kind: 'boot-failed', error };
    });
  }, 0);
});

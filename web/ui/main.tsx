/**
 * Placeholder until the app (issue "The web app") lands: proves the bundle,
 * the CSP (no inline script) and the relay's static serving end to end.
 */
import { render } from 'preact';
import './theme.css';

function Placeholder() {
  return (
    <main>
      <h1>Parley</h1>
      <p>The relay is running. The chat app is being built; this page is a placeholder.</p>
    </main>
  );
}

const root = document.getElementById('app');
if (root) render(<Placeholder />, root);

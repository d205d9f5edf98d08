/**
 * What a person's browser did that the product promises it never does:
 * requests to any host but the relay (no CDN, no fonts, no analytics), CSP
 * violations (Chromium reports them on the console: inline scripts and
 * styles are refused, so a listener injected as script would be refused
 * too), uncaught exceptions, and dialogs (an `alert()` from injected
 * markup is the classic XSS tell). Console errors and failed requests are
 * kept for the failure message and the log, not failed on by themselves:
 * an offline person's page legitimately logs failed sockets.
 */
import type { BrowserContext, Page } from 'playwright-core';

export interface PageProblems {
  /** Requests (and WebSockets) to any origin but the relay's. Aborted before they leave. */
  foreignRequests: string[];
  /** Console messages that report a Content-Security-Policy violation. */
  cspViolations: string[];
  /** Uncaught exceptions in any page of the context. */
  pageErrors: string[];
  /** alert/confirm/prompt/beforeunload dialogs (dismissed). */
  dialogs: string[];
  consoleErrors: string[];
  failedRequests: string[];
}

const CSP_MESSAGE = /Content Security Policy|Content-Security-Policy/i;

/** Schemes a page loads from itself, not from a host: never foreign. */
const LOCAL_SCHEMES = new Set(['data:', 'blob:', 'about:', 'chrome-extension:', 'devtools:']);

export function emptyProblems(): PageProblems {
  return {
    foreignRequests: [],
    cspViolations: [],
    pageErrors: [],
    dialogs: [],
    consoleErrors: [],
    failedRequests: [],
  };
}

function isForeign(url: string, relayHost: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return true;
  }
  if (LOCAL_SCHEMES.has(parsed.protocol)) return false;
  return parsed.host !== relayHost;
}

/** Starts watching a context: every page it opens, every request it makes. */
export async function watchContext(
  context: BrowserContext,
  relayHost: string,
  problems: PageProblems,
): Promise<void> {
  // Routing aborts a foreign request before it leaves, so a failing test
  // has also not leaked anything to the outside.
  const noteForeign = (url: string): void => {
    if (!problems.foreignRequests.includes(url)) problems.foreignRequests.push(url);
  };
  await context.route(
    (url) => isForeign(url.href, relayHost),
    async (route) => {
      noteForeign(route.request().url());
      await route.abort('blockedbyclient');
    },
  );
  context.on('request', (request) => {
    if (isForeign(request.url(), relayHost)) noteForeign(request.url());
  });
  context.on('requestfailed', (request) => {
    problems.failedRequests.push(`${request.url()}: ${request.failure()?.errorText ?? '?'}`);
  });
  context.on('page', (page) => watchPage(page, relayHost, problems));
}

function watchPage(page: Page, relayHost: string, problems: PageProblems): void {
  page.on('console', (message) => {
    const text = message.text();
    if (CSP_MESSAGE.test(text)) problems.cspViolations.push(text);
    if (message.type() === 'error') problems.consoleErrors.push(text);
  });
  page.on('pageerror', (error) => problems.pageErrors.push(error.stack ?? error.message));
  page.on('dialog', (dialog) => {
    problems.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss().catch(() => undefined);
  });
  page.on('websocket', (socket) => {
    if (isForeign(socket.url().replace(/^ws/, 'http'), relayHost)) {
      problems.foreignRequests.push(socket.url());
    }
  });
}

/** The promises every e2e test checks at its end, for every person. */
export function brokenPromises(problems: PageProblems): Partial<PageProblems> {
  const broken: Partial<PageProblems> = {};
  if (problems.foreignRequests.length > 0) broken.foreignRequests = problems.foreignRequests;
  if (problems.cspViolations.length > 0) broken.cspViolations = problems.cspViolations;
  if (problems.pageErrors.length > 0) broken.pageErrors = problems.pageErrors;
  if (problems.dialogs.length > 0) broken.dialogs = problems.dialogs;
  return broken;
}

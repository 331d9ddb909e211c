/**
 * The page around the dashboard's <main>: head, the stylesheet and script from assets/ (inline, allowed by
 * the CSP nonce, so the page needs no second request and no other source is ever allowed), and the CSRF
 * token the script sends back as a header with every change.
 */
import { readFileSync } from "node:fs";
import { escapeHtml } from "../http/dashboard.ts";

// Read once, at start: the local stack runs from its sources (scripts/build-cli.js), so the files are there.
const CSS = readFileSync(new URL("./assets/app.css", import.meta.url), "utf8");
const JS = readFileSync(new URL("./assets/app.js", import.meta.url), "utf8");

export interface PageOptions {
  title: string;
  main: string;
  nonce: string;
  csrf: string;
  /** What a live update re-fetches: this page's `?partial=1`. */
  partialUrl: string;
}

export function renderPage(o: PageOptions): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="csrf-token" content="${escapeHtml(o.csrf)}">
<title>${escapeHtml(o.title)}</title>
<style nonce="${o.nonce}">${CSS}</style></head>
<body data-partial="${escapeHtml(o.partialUrl)}">
<header><h1><a href="/">ecs-jobs</a></h1><span class="muted">local stack</span></header>
${o.main}
<script nonce="${o.nonce}">${JS}</script></body></html>
`;
}

/** The CSP of every dashboard page: its own nonce'd style and script, requests to itself, nothing else. */
export const pagePolicy = (nonce: string): string =>
  `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

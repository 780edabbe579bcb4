// Shared UI components: pure functions from data to HTML strings, so rendering is deterministic
// and a visual test can compare it byte for byte with a baseline.
import { theme } from './theme.mjs';

const escape = (text) =>
  String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );

export const card = (title, body) =>
  `<section class="card" style="border-radius:${theme.radius};background:${theme.surface};color:${theme.text}">` +
  `<h2 style="color:${theme.accent}">${escape(title)}</h2>${body}</section>`;

export const list = (items) => `<ul>${items.map((item) => `<li>${escape(item)}</li>`).join('')}</ul>`;

export const metric = (label, value) =>
  `<p class="metric"><span>${escape(label)}</span> <strong>${escape(value)}</strong></p>`;

export const page = (title, body) =>
  `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>` +
  `<body>${body}</body></html>\n`;

// Widgets as functions of their data; each renders to one self-contained HTML page.
const page = (title, body) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>\n`;

export const widgets = {
  uptime: () => page('Uptime', '<h1>Uptime</h1><p>99.9% over 30 days</p>'),
  deploys: () => page('Deploys', '<h1>Deploys</h1><ul><li>v1.0.0</li></ul>'),
};

export const WIDGET_NAMES = Object.keys(widgets);
export const renderWidget = (name) => widgets[name]?.();

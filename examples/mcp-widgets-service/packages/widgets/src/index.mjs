import * as changelog from './changelog.mjs';
import * as status from './status.mjs';

const widgets = { changelog, status };
export const WIDGET_NAMES = Object.keys(widgets);
export const renderWidget = (name) => widgets[name].render();

import { card, list, page } from '../../ui/src/components.mjs';

export const render = () =>
  page('Changelog', card('Recent changes', list(['Widgets render from shared UI', 'Contract tests in CI'])));

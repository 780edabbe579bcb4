import { card, metric, page } from '../../ui/src/components.mjs';

export const render = () => page('Status', card('Service status', metric('MCP server', 'operational')));

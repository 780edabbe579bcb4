// The MCP tools this server offers; contract.json lists what clients rely on.
import { renderWidget, WIDGET_NAMES } from '@npm-mcp/widgets';

export const tools = {
  list_widgets: () => ({ widgets: WIDGET_NAMES }),
  render_widget: ({ name }) => ({ html: renderWidget(name) ?? '' }),
};

// Tool implementations; every tool named in contract/tools.json must have one here.
import { renderWidget, WIDGET_NAMES } from '../../packages/widgets/src/index.mjs';

export const tools = {
  list_widgets: () => ({ widgets: WIDGET_NAMES }),
  render_widget: ({ name }) => {
    if (!WIDGET_NAMES.includes(name))
      throw Object.assign(new Error(`unknown widget: ${name}`), { badArguments: true });
    return { html: renderWidget(name) };
  },
};

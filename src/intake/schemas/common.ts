import { z } from 'zod';

/** C0 controls, DEL, C1 controls and unpaired surrogates: never in a key, a label or a name. */
/* eslint-disable no-control-regex -- matching control characters is the point of these two */
const CONTROL =
  /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Free text (summaries, descriptions) may also hold tab, LF and CR; nothing else of the above. */
const CONTROL_IN_TEXT =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/* eslint-enable no-control-regex */

/** A key, label value or name: opaque otherwise (odd keys are hashed), but no control characters. */
export const keyText = <S extends z.ZodString>(schema: S) =>
  schema.refine((value) => !CONTROL.test(value), {
    message: 'must not contain control characters (U+0000-U+001F, U+007F-U+009F) or unpaired surrogates',
  });

/** Free text: tab, LF and CR allowed, other control characters and unpaired surrogates refused. */
export const freeText = <S extends z.ZodString>(schema: S) =>
  schema.refine((value) => !CONTROL_IN_TEXT.test(value), {
    message: 'must not contain control characters other than tab, LF and CR, or unpaired surrogates',
  });

/** Prometheus label names; values bounded so one alert cannot carry megabytes. */
export const labelMap = z
  .record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be a label name'),
    keyText(z.string().max(2_000)),
  )
  .refine((labels) => Object.keys(labels).length <= 64, { message: 'at most 64 labels' });

export const annotationMap = z
  .record(keyText(z.string().min(1).max(128)), freeText(z.string().max(10_000)))
  .refine((labels) => Object.keys(labels).length <= 64, { message: 'at most 64 annotations' });

export const isoDate = z.iso.datetime({ offset: true });

import { z } from 'zod';

/** Prometheus label names; values bounded so one alert cannot carry megabytes. */
export const labelMap = z
  .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be a label name'), z.string().max(2_000))
  .refine((labels) => Object.keys(labels).length <= 64, { message: 'at most 64 labels' });

export const annotationMap = z
  .record(z.string().min(1).max(128), z.string().max(10_000))
  .refine((labels) => Object.keys(labels).length <= 64, { message: 'at most 64 annotations' });

export const isoDate = z.iso.datetime({ offset: true });

/**
 * Business days in a configured time zone, with Intl only (available in workflow code), so the
 * SEV-4 "next business day" deadline is deterministic and lands on a working day.
 */
export interface BusinessHours {
  /** IANA time zone, e.g. "Europe/London". */
  timeZone: string;
  /** Local opening time, "HH:MM". */
  start: string;
  /** Local closing time, "HH:MM". */
  end: string;
  /** ISO weekdays that are working days, 1 = Monday ... 7 = Sunday. */
  days: number[];
  /** Local dates (YYYY-MM-DD) that are not working days. */
  holidays: string[];
}

export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Wall-clock time in `timeZone` at instant `at`. */
export function toLocal(at: Date, timeZone: string): LocalDateTime {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(at)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour! % 24,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** The instant at which the wall clock in `timeZone` shows `local` (DST gaps resolve forward). */
export function fromLocal(local: LocalDateTime, timeZone: string): Date {
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  let guess = asUtc;
  // Two rounds settle the zone offset, including at DST transitions.
  for (let i = 0; i < 2; i++) {
    const seen = toLocal(new Date(guess), timeZone);
    const seenUtc = Date.UTC(seen.year, seen.month - 1, seen.day, seen.hour, seen.minute, seen.second);
    guess += asUtc - seenUtc;
  }
  return new Date(guess);
}

/** ISO weekday (1 = Monday) of a local calendar date. */
export function isoWeekday(year: number, month: number, day: number): number {
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return weekday === 0 ? 7 : weekday;
}

const pad = (n: number) => String(n).padStart(2, '0');
const localDate = (l: { year: number; month: number; day: number }) =>
  `${l.year}-${pad(l.month)}-${pad(l.day)}`;

export function isBusinessDay(hours: BusinessHours, year: number, month: number, day: number): boolean {
  return (
    hours.days.includes(isoWeekday(year, month, day)) &&
    !hours.holidays.includes(localDate({ year, month, day }))
  );
}

const hhmm = (text: string) => {
  const [h, m] = text.split(':').map(Number);
  return { hour: h!, minute: m! };
};

/**
 * The guide's SEV-4 "next business day": close of business on the first working day after the
 * local date of `from`. Friday evening, Saturday and Sunday all give Monday's closing time.
 */
export function nextBusinessDayDeadline(from: Date, hours: BusinessHours): Date {
  const local = toLocal(from, hours.timeZone);
  const cursor = new Date(Date.UTC(local.year, local.month - 1, local.day));
  for (let i = 0; i < 366; i++) {
    cursor.setUTCDate(cursor.getUTCDate() + 1);
    const y = cursor.getUTCFullYear();
    const m = cursor.getUTCMonth() + 1;
    const d = cursor.getUTCDate();
    if (isBusinessDay(hours, y, m, d)) {
      const end = hhmm(hours.end);
      return fromLocal({ year: y, month: m, day: d, ...end, second: 0 }, hours.timeZone);
    }
  }
  throw new Error('business hours configure no working day within a year');
}

/**
 * The guide's "is it getting worse?", answered from the alert signals the incident received:
 * firing alerts in the latest window against the window before it.
 */
export interface AlertArrival {
  at: string;
  status: 'firing' | 'resolved';
}

export interface AlertTrend {
  verdict: 'getting worse' | 'stable' | 'improving';
  recent: number;
  previous: number;
  windowMs: number;
}

export function alertTrend(arrivals: AlertArrival[], now: Date, windowMs: number): AlertTrend {
  const t = now.getTime();
  let recent = 0;
  let previous = 0;
  for (const arrival of arrivals) {
    if (arrival.status !== 'firing') continue;
    const age = t - Date.parse(arrival.at);
    if (age < 0) continue;
    if (age <= windowMs) recent++;
    else if (age <= 2 * windowMs) previous++;
  }
  const verdict = recent > previous ? 'getting worse' : recent < previous ? 'improving' : 'stable';
  return { verdict, recent, previous, windowMs };
}

// Request counters in the Prometheus text format, written by hand: the example stays free of
// dependencies. `http_requests_total{route,code}` lets Prometheus compute the error ratio
//   sum(rate(http_requests_total{code=~"5.."}[1m])) / sum(rate(http_requests_total[1m]))
// The 200 and 500 series of each route exist from the start (at 0), so that ratio has data
// before the first error instead of an empty numerator.
export class RequestCounter {
  #counts = new Map();

  constructor(routes) {
    this.routes = routes;
    for (const route of routes) for (const code of [200, 500]) this.#counts.set(key(route, code), 0);
  }

  /** Counts one answer; unknown paths share one label value so a scanner cannot grow the series. */
  count(url, status) {
    const path = (url ?? '').split('?')[0];
    const route = this.routes.includes(path) ? path : 'other';
    const k = key(route, status);
    this.#counts.set(k, (this.#counts.get(k) ?? 0) + 1);
  }

  exposition() {
    const lines = [
      '# HELP http_requests_total HTTP requests answered, by route and status code.',
      '# TYPE http_requests_total counter',
    ];
    for (const [k, value] of [...this.#counts].sort(([a], [b]) => a.localeCompare(b))) {
      const [route, code] = JSON.parse(k);
      lines.push(`http_requests_total{route="${route}",code="${code}"} ${value}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

const key = (route, code) => JSON.stringify([route, String(code)]);

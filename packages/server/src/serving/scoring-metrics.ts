/** Request counts and latency of the scoring server, exposed as Prometheus text on `/metrics`. */

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

export class ScoringMetrics {
  private readonly requests = new Map<string, number>();
  private readonly latency = new Map<string, Histogram>();

  observe(route: string, status: number, seconds: number): void {
    const key = `route="${route}",status="${status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    let h = this.latency.get(route);
    if (h === undefined) {
      h = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.latency.set(route, h);
    }
    BUCKETS.forEach((le, i) => {
      if (seconds <= le) (h).counts[i] = ((h).counts[i] ?? 0) + 1;
    });
    h.sum += seconds;
    h.count++;
  }

  /** Prometheus text exposition format 0.0.4. */
  render(): string {
    const lines = [
      '# HELP runlog_scoring_requests_total Scoring server requests by route and status.',
      '# TYPE runlog_scoring_requests_total counter',
    ];
    for (const [labels, n] of [...this.requests].sort()) lines.push(`runlog_scoring_requests_total{${labels}} ${n}`);
    lines.push(
      '# HELP runlog_scoring_request_duration_seconds Time to answer a scoring server request.',
      '# TYPE runlog_scoring_request_duration_seconds histogram',
    );
    for (const [route, h] of [...this.latency].sort()) {
      BUCKETS.forEach((le, i) => lines.push(`runlog_scoring_request_duration_seconds_bucket{route="${route}",le="${le}"} ${h.counts[i] ?? 0}`));
      lines.push(`runlog_scoring_request_duration_seconds_bucket{route="${route}",le="+Inf"} ${h.count}`);
      lines.push(`runlog_scoring_request_duration_seconds_sum{route="${route}"} ${h.sum}`);
      lines.push(`runlog_scoring_request_duration_seconds_count{route="${route}"} ${h.count}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

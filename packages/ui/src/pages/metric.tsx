import { lazy, Suspense, type ReactNode } from 'react';
import { Empty, Loading } from '../components/common';
import { parseIdList, type Route } from '../router';

const MetricChart = lazy(() => import('../components/metric-chart'));

/** MLflow's `#/metric/<key>?runs=[…]` page: one metric, several runs, full width. */
export default function MetricPage({ route }: { route: Route }): ReactNode {
  const key = route.segments[1] ?? route.query.get('metric') ?? '';
  const runs = parseIdList(route.query.get('runs'));
  if (!key || runs.length === 0) return <Empty>This metric link names no metric or no runs.</Empty>;
  return (
    <section className="page">
      <h1>{key}</h1>
      <Suspense fallback={<Loading what="chart" />}>
        <MetricChart metricKey={key} runIds={runs} height={420} />
      </Suspense>
    </section>
  );
}

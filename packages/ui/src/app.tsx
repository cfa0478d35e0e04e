import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import { Empty, Loading } from './components/common';
import { ExperimentsPage } from './pages/experiments';
import { ExperimentPage } from './pages/experiment';
import { RunPage } from './pages/run';
import { href, navigate, parseIdList, useRoute, type Route } from './router';

// Pages with charts load their chart libraries only when opened.
const ComparePage = lazy(() => import('./pages/compare'));
const MetricPage = lazy(() => import('./pages/metric'));
const ModelsPage = lazy(() => import('./pages/models').then((m) => ({ default: m.ModelsPage })));
const ModelPage = lazy(() => import('./pages/models').then((m) => ({ default: m.ModelPage })));
const ModelVersionPage = lazy(() => import('./pages/models').then((m) => ({ default: m.ModelVersionPage })));

function useTheme(): [string, () => void] {
  const [theme, setTheme] = useState(() => document.documentElement.dataset.theme ?? 'light');
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    try {
      localStorage.setItem('runlog.theme', theme);
    } catch {
      /* private mode */
    }
  }, [theme]);
  return [theme, () => setTheme((t) => (t === 'dark' ? 'light' : 'dark'))];
}

export function routeView(route: Route): ReactNode {
  const [a, b, c, d, e] = route.segments;
  if (a === undefined || a === '') return <ExperimentsPage route={route} />;
  if (a === 'experiments') {
    if (b === undefined) return <ExperimentsPage route={route} />;
    if (c === 'runs' && d !== undefined) return <RunPage route={route} experimentId={b} runId={d} artifactPath={e === 'artifactPath' || e === 'artifacts' ? route.segments.slice(5).join('/') : undefined} />;
    return <ExperimentPage route={route} experimentId={b} />;
  }
  if (a === 'runs' && b !== undefined) return <RunPage route={route} runId={b} />;
  if (a === 'compare-runs' || a === 'compare-experiments') {
    return <ComparePage route={route} runIds={parseIdList(route.query.get('runs'))} />;
  }
  if (a === 'metric') return <MetricPage route={route} />;
  if (a === 'models') {
    if (b === undefined) return <ModelsPage route={route} />;
    if (c === 'versions' && d !== undefined) return <ModelVersionPage route={route} name={b} version={d} />;
    return <ModelPage route={route} name={b} />;
  }
  return (
    <Empty>
      Nothing lives at <code>{route.hash}</code>. <a href={href([])}>Go to experiments</a>.
    </Empty>
  );
}

export function App(): ReactNode {
  const route = useRoute();
  const [theme, toggleTheme] = useTheme();
  const top = route.segments[0] ?? '';
  const pathKey = route.segments.join('/');
  useEffect(() => {
    // A new page starts at the top (the main pane keeps its scroll position otherwise).
    document.getElementById('main')?.scrollTo?.(0, 0);
  }, [pathKey]);
  useEffect(() => {
    // `#/experiments/0/s?...` style MLflow search links and a bare `#` land somewhere useful.
    if (route.hash === '' && window.location.hash === '') navigate(href(['experiments']), true);
  }, [route.hash]);
  return (
    <div className="app">
      <a className="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to content
      </a>
      <header className="topbar">
        <a className="brand" href={href(['experiments'])}>
          Runlog
        </a>
        <nav aria-label="Main">
          <a href={href(['experiments'])} aria-current={top === 'experiments' || top === '' || top === 'runs' || top.startsWith('compare') ? 'page' : undefined}>
            Experiments
          </a>
          <a href={href(['models'])} aria-current={top === 'models' ? 'page' : undefined}>
            Models
          </a>
        </nav>
        <span className="spacer" />
        <button type="button" className="theme-toggle" onClick={toggleTheme} aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}>
          {theme === 'dark' ? '☀ Light' : '☾ Dark'}
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading what="page" />}>{routeView(route)}</Suspense>
      </main>
    </div>
  );
}

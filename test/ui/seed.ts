/** Seeds a server through its REST API (what a user's client would do) for the UI journeys and screenshots. */

export interface Seeded {
  experimentId: string;
  runIds: string[];
  parentRunId: string;
  modelRunId: string;
}

export class Api {
  constructor(readonly base: string) {}

  async post<T = Record<string, unknown>>(path: string, body: unknown): Promise<T> {
    const res = await fetch(`${this.base}/api/2.0/mlflow/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  }

  async get<T = Record<string, unknown>>(path: string, query: Record<string, string>): Promise<T> {
    const res = await fetch(`${this.base}/api/2.0/mlflow/${path}?${new URLSearchParams(query).toString()}`);
    const text = await res.text();
    if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  }

  /** Uploads an artifact through the proxy (`mlflow-artifacts:/…` artifact URIs). */
  async upload(artifactUri: string, relPath: string, body: string | Buffer): Promise<void> {
    const root = artifactUri.replace(/^mlflow-artifacts:\/?/, '');
    const res = await fetch(`${this.base}/api/2.0/mlflow-artifacts/artifacts/${root}/${relPath}`, { method: 'PUT', body });
    if (!res.ok) throw new Error(`upload ${relPath}: ${res.status} ${await res.text()}`);
  }

  async createRun(experimentId: string, name: string, tags: { key: string; value: string }[] = [], startTime = Date.now()): Promise<{ runId: string; artifactUri: string }> {
    const res = await this.post<{ run: { info: { run_id: string; artifact_uri: string } } }>('runs/create', {
      experiment_id: experimentId,
      run_name: name,
      user_id: 'alice',
      start_time: startTime,
      tags: [{ key: 'mlflow.source.name', value: 'train.py' }, { key: 'mlflow.source.git.commit', value: '3f2a9c1d0b7e' }, ...tags],
    });
    return { runId: res.run.info.run_id, artifactUri: res.run.info.artifact_uri };
  }
}

// A 1x1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

export async function seedDemo(api: Api, name = `demo-${Date.now()}`): Promise<Seeded> {
  const { experiment_id: experimentId } = await api.post<{ experiment_id: string }>('experiments/create', { name });
  await api.post('experiments/set-experiment-tag', { experiment_id: experimentId, key: 'mlflow.note.content', value: '# Demo\nLearning-rate sweep over **two models**.' });
  await api.post('experiments/set-experiment-tag', { experiment_id: experimentId, key: 'team', value: 'vision' });
  const runIds: string[] = [];
  const t0 = Date.now() - 3_600_000;
  const parent = await api.createRun(experimentId, 'sweep', [], t0);
  await api.post('runs/log-batch', { run_id: parent.runId, params: [{ key: 'sweep', value: 'lr' }], metrics: [], tags: [] });
  let i = 0;
  for (const model of ['tree', 'mlp']) {
    for (const lr of [0.001, 0.01, 0.1]) {
      i++;
      const { runId, artifactUri } = await api.createRun(experimentId, `${model}-lr${lr}`, [{ key: 'mlflow.parentRunId', value: parent.runId }, { key: 'team', value: i % 2 ? 'a' : 'b' }], t0 + i * 60_000);
      runIds.push(runId);
      const metrics: { key: string; value: number; timestamp: number; step: number }[] = [];
      const base = model === 'tree' ? 0.6 : 0.4;
      for (let step = 0; step < 50; step++) {
        const loss = base / (1 + step * lr * 10) + 0.02 * Math.sin(step + i);
        metrics.push({ key: 'loss', value: loss, timestamp: t0 + i * 60_000 + step * 1000, step });
        metrics.push({ key: 'accuracy', value: 1 - loss, timestamp: t0 + i * 60_000 + step * 1000, step });
      }
      await api.post('runs/log-batch', {
        run_id: runId,
        params: [{ key: 'model', value: model }, { key: 'lr', value: String(lr) }, { key: 'depth', value: String(i + 2) }],
        metrics,
        tags: [],
      });
      if (i === 1) {
        await api.upload(artifactUri, 'metrics.csv', 'step,loss,accuracy\n0,0.6,0.4\n1,0.5,0.5\n2,"0.45",0.55\n');
        await api.upload(artifactUri, 'config.json', JSON.stringify({ model, lr, layers: [64, 32] }));
        await api.upload(artifactUri, 'notes.txt', 'trained on the demo set\n');
        await api.upload(artifactUri, 'plot.png', PNG);
        await api.upload(artifactUri, 'report.html', '<h1>Report</h1><script>document.title="pwned"</script><p>accuracy 0.6</p>');
        await api.upload(artifactUri, 'model/MLmodel', 'artifact_path: model\nflavors:\n  python_function:\n    loader_module: mlflow.sklearn\nsignature:\n  inputs: \'[{"name": "x", "type": "double"}]\'\n  outputs: \'[{"type": "double"}]\'\n');
        await api.upload(artifactUri, 'model/model.pkl', 'binary');
      }
      await api.post('runs/update', { run_id: runId, status: i === 5 ? 'FAILED' : 'FINISHED', end_time: t0 + i * 60_000 + 50_000 + i * 7000 });
    }
  }
  await api.post('runs/update', { run_id: parent.runId, status: 'FINISHED', end_time: t0 + 600_000 });
  return { experimentId, runIds, parentRunId: parent.runId, modelRunId: runIds[0] ?? '' };
}

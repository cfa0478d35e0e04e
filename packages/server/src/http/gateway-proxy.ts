/**
 * `gateway-proxy` (ajax only): MLflow's prompt-engineering UI reaches the AI gateway (deployments server) through
 * the tracking server. The target is the operator's `MLFLOW_DEPLOYMENTS_TARGET`; the caller names only a path
 * below it, checked like an artifact path, so the proxy can never be pointed at another host.
 */
import { RunlogError, safeArtifactPath } from '@runlog/core';

const TIMEOUT_MS = 60_000;

export async function gatewayProxy(
  request: { gateway_path?: unknown; json_data?: unknown },
  method: string,
  target: string | undefined,
): Promise<Record<string, unknown>> {
  // Without a target MLflow answers as an empty gateway.
  if (!target) return { endpoints: [] };
  const gatewayPath = request.gateway_path;
  if (typeof gatewayPath !== 'string' || gatewayPath === '') {
    throw RunlogError.invalidParameter('Deployments proxy request must specify a gateway_path.');
  }
  const url = `${target.replace(/\/+$/, '')}/${safeArtifactPath(gatewayPath)}`;
  const init: RequestInit = { method, signal: AbortSignal.timeout(TIMEOUT_MS) };
  if (request.json_data !== undefined && method !== 'GET') {
    init.body = JSON.stringify(request.json_data);
    init.headers = { 'Content-Type': 'application/json' };
  }
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (e) {
    throw new RunlogError('TEMPORARILY_UNAVAILABLE', `Deployments proxy request failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  const text = await response.text();
  if (response.status !== 200) {
    throw new RunlogError(
      'TEMPORARILY_UNAVAILABLE',
      `Deployments proxy request failed with error code ${response.status}. Error message: ${text.slice(0, 2000)}`,
    );
  }
  try {
    const body: unknown = JSON.parse(text);
    return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : { result: body };
  } catch {
    throw new RunlogError('TEMPORARILY_UNAVAILABLE', 'Deployments proxy request failed: the gateway did not answer JSON.');
  }
}

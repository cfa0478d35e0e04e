import { LIMITS, RunlogError, validateLength } from '@runlog/core';

/**
 * An experiment's artifact_location is attacker-chosen and later resolved against storage: refuse the shapes
 * behind MLflow's traversal CVEs (fragments, `..` in a query string, `runs:/` locations).
 */
export function validateArtifactLocation(location: string): void {
  validateLength('artifact_location', location, LIMITS.maxArtifactLocationLength);
  let decoded = location;
  for (let i = 0; i < 3; i++) {
    try {
      const next = decodeURIComponent(decoded);
      if (next === decoded) break;
      decoded = next;
    } catch {
      break;
    }
  }
  if (/^runs:/i.test(decoded)) {
    throw RunlogError.invalidParameter(`Invalid artifact location '${location}': runs:/ URIs are not allowed as an artifact location.`);
  }
  if (decoded.includes('#')) {
    throw RunlogError.invalidParameter(`Invalid artifact location '${location}': URI fragments are not allowed.`);
  }
  const query = decoded.indexOf('?');
  if (query >= 0 && decoded.slice(query).includes('..')) {
    throw RunlogError.invalidParameter(`Invalid artifact location '${location}': '..' is not allowed in the query string.`);
  }
  if (decoded.includes(';')) {
    throw RunlogError.invalidParameter(`Invalid artifact location '${location}': ';' is not allowed.`);
  }
  if (decoded.split(/[\\/]/).includes('..')) {
    throw RunlogError.invalidParameter(`Invalid artifact location '${location}': '..' path segments are not allowed.`);
  }
}

/**
 * `runlog models list|show|register|set-alias|delete-alias|transition|resolve`: the model registry from the
 * command line, through the REST client against a tracking server. Text for people by default, `--json` for
 * scripts.
 */
import { InvalidArgumentError, type Command } from 'commander';
import {
  RunlogError,
  resolveModelUri,
  type KeyValue,
  type ModelVersion,
  type RegisteredModel,
  type RegistryStore,
} from '@runlog/core';
import {
  createRestRegistryStore,
  createRestTrackingStore,
  fetchTransport,
  iterateModelVersions,
  iterateRegisteredModels,
  trackingAuthHeaders,
  trackingCredentialsFromEnv,
} from '@runlog/client';
import { DEFAULT_TRACKING_URI } from './artifacts-command.js';

interface ConnectionFlags {
  trackingUri: string;
  json?: boolean;
}

function transportFor(flags: ConnectionFlags) {
  return fetchTransport(flags.trackingUri, { headers: trackingAuthHeaders(trackingCredentialsFromEnv(process.env)) });
}

function registryFor(flags: ConnectionFlags): RegistryStore {
  return createRestRegistryStore(transportFor(flags));
}

function print(flags: ConnectionFlags, json: unknown, text: () => string): void {
  process.stdout.write(flags.json ? `${JSON.stringify(json, null, 2)}\n` : text());
}

function describeVersion(v: ModelVersion): string {
  const aliases = v.aliases && v.aliases.length > 0 ? ` @${v.aliases.join(' @')}` : '';
  return `${v.name}\tv${v.version}\t${v.current_stage}${aliases}\t${v.source}`;
}

function describeModel(m: RegisteredModel): string {
  const latest = Math.max(0, ...(m.latest_versions ?? []).map((v) => Number(v.version)));
  const aliases = (m.aliases ?? []).map((a) => `${a.alias}=v${a.version}`).join(',');
  return `${m.name}\t${latest > 0 ? `latest v${latest}` : 'no versions'}${aliases ? `\t${aliases}` : ''}`;
}

function keyValue(value: string, previous: KeyValue[] = []): KeyValue[] {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError("expected 'key=value'.");
  return [...previous, { key: value.slice(0, at), value: value.slice(at + 1) }];
}

export async function runModelsList(flags: ConnectionFlags & { filter?: string }): Promise<void> {
  const models: RegisteredModel[] = [];
  for await (const m of iterateRegisteredModels(registryFor(flags), { filter: flags.filter })) models.push(m);
  print(flags, models, () => models.map((m) => `${describeModel(m)}\n`).join(''));
}

export async function runModelsShow(flags: ConnectionFlags & { name: string }): Promise<void> {
  const registry = registryFor(flags);
  const model = await registry.getRegisteredModel(flags.name);
  const versions: ModelVersion[] = [];
  const filter = `name = '${flags.name.replaceAll("'", "\\'")}'`;
  for await (const v of iterateModelVersions(registry, { filter, orderBy: ['version_number DESC'] })) versions.push(v);
  print(flags, { registered_model: model, model_versions: versions }, () => {
    const lines = [describeModel(model)];
    if (model.description) lines.push(`  ${model.description}`);
    for (const t of model.tags ?? []) lines.push(`  tag ${t.key}=${t.value}`);
    const aliasesOf = new Map<string, string[]>();
    for (const a of model.aliases ?? []) aliasesOf.set(a.version, [...(aliasesOf.get(a.version) ?? []), a.alias]);
    for (const v of versions) lines.push(`  ${describeVersion({ ...v, aliases: aliasesOf.get(v.version) ?? [] })}`);
    return lines.map((l) => `${l}\n`).join('');
  });
}

/** Registers `<run's artifact root>/<path>` under `name`, creating the model first when it is new (as `mlflow.register_model`). */
export async function runModelsRegister(
  flags: ConnectionFlags & { runId: string; artifactPath: string; name: string; tag?: KeyValue[]; description?: string },
): Promise<void> {
  const transport = transportFor(flags);
  const registry = createRestRegistryStore(transport);
  const run = await createRestTrackingStore(transport).getRun(flags.runId);
  try {
    await registry.createRegisteredModel(flags.name);
  } catch (err) {
    if (!(err instanceof RunlogError && err.errorCode === 'RESOURCE_ALREADY_EXISTS')) throw err;
  }
  const path = flags.artifactPath.replace(/^\/+|\/+$/g, '');
  const version = await registry.createModelVersion({
    name: flags.name,
    source: path === '' ? run.info.artifact_uri : `${run.info.artifact_uri}/${path}`,
    runId: flags.runId,
    tags: flags.tag,
    description: flags.description,
  });
  print(flags, version, () => `Registered model '${version.name}' version ${version.version}\n`);
}

export async function runModelsSetAlias(flags: ConnectionFlags & { name: string; alias: string; version: string }): Promise<void> {
  await registryFor(flags).setRegisteredModelAlias(flags.name, flags.alias, flags.version);
  print(flags, {}, () => `Alias '${flags.alias}' of '${flags.name}' now points at version ${flags.version}\n`);
}

export async function runModelsDeleteAlias(flags: ConnectionFlags & { name: string; alias: string }): Promise<void> {
  await registryFor(flags).deleteRegisteredModelAlias(flags.name, flags.alias);
  print(flags, {}, () => `Alias '${flags.alias}' of '${flags.name}' deleted\n`);
}

export async function runModelsTransition(
  flags: ConnectionFlags & { name: string; version: string; stage: string; archiveExisting?: boolean },
): Promise<void> {
  const v = await registryFor(flags).transitionModelVersionStage(flags.name, flags.version, flags.stage, flags.archiveExisting ?? false);
  print(flags, v, () => `Model '${v.name}' version ${v.version} is now in stage ${v.current_stage}\n`);
}

export async function runModelsResolve(flags: ConnectionFlags & { uri: string }): Promise<void> {
  const resolved = await resolveModelUri(registryFor(flags), flags.uri);
  print(flags, { model_version: resolved.version, artifact_uri: resolved.artifactUri }, () => `${resolved.artifactUri}\n`);
}

/** Attaches the registry subcommands to the `runlog models` group. */
export function addModelsRegistryCommands(models: Command): void {
  const common = (command: Command): Command =>
    command
      .option(
        '--tracking-uri <uri>',
        'tracking server URI (env MLFLOW_TRACKING_URI); credentials from MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/PASSWORD',
        process.env.MLFLOW_TRACKING_URI || DEFAULT_TRACKING_URI,
      )
      .option('--json', 'print JSON instead of text');

  common(models.command('list').description('list registered models (name, latest version, aliases)'))
    .option('--filter <filter>', "MLflow search filter, e.g. \"name LIKE 'fraud-%'\"")
    .action((flags: ConnectionFlags & { filter?: string }) => runModelsList(flags));

  common(models.command('show').argument('<name>').description('a registered model with every version'))
    .action((name: string, flags: ConnectionFlags) => runModelsShow({ ...flags, name }));

  common(models.command('register').description("register a run's artifact folder as a new model version"))
    .requiredOption('-r, --run-id <id>', 'run that logged the model')
    .requiredOption('-a, --artifact-path <path>', "model folder inside the run's artifacts, e.g. model")
    .requiredOption('-n, --name <name>', 'registered model name (created when new)')
    .option('-t, --tag <key=value>', 'version tag (repeatable)', keyValue)
    .option('-d, --description <text>', 'version description')
    .action((flags: Parameters<typeof runModelsRegister>[0]) => runModelsRegister(flags));

  common(models.command('set-alias').argument('<name>').argument('<alias>').argument('<version>').description('point an alias at a version'))
    .action((name: string, alias: string, version: string, flags: ConnectionFlags) => runModelsSetAlias({ ...flags, name, alias, version }));

  common(models.command('delete-alias').argument('<name>').argument('<alias>').description('delete an alias'))
    .action((name: string, alias: string, flags: ConnectionFlags) => runModelsDeleteAlias({ ...flags, name, alias }));

  common(
    models
      .command('transition')
      .argument('<name>')
      .argument('<version>')
      .argument('<stage>', 'None, Staging, Production or Archived')
      .description('move a version to a stage'),
  )
    .option('--archive-existing', 'archive the versions already in the target stage')
    .action((name: string, version: string, stage: string, flags: ConnectionFlags & { archiveExisting?: boolean }) =>
      runModelsTransition({ ...flags, name, version, stage }),
    );

  common(models.command('resolve').argument('<uri>', 'models:/name/3, models:/name@alias, models:/name/Production, models:/name/latest'))
    .description('print the artifact URI a models:/ URI resolves to')
    .action((uri: string, flags: ConnectionFlags) => runModelsResolve({ ...flags, uri }));
}

/**
 * MLflow 2.17's GraphQL schema: the type, field, enum and input names its web UI and clients send, as SDL.
 * Field names are MLflow's proto fields in camelCase; resolvers (graphql/resolvers.ts) read the snake_case
 * entities the REST handlers return.
 */
import { GraphQLError, GraphQLScalarType, Kind, buildSchema, type GraphQLSchema, type ValueNode } from 'graphql';

const SDL = /* GraphQL */ `
directive @component(name: String!) on QUERY | MUTATION

"An int64 sent as a decimal string, so JavaScript clients keep every digit."
scalar LongString

type Query {
  mlflowGetExperiment(input: MlflowGetExperimentInput): MlflowGetExperimentResponse
  mlflowGetMetricHistoryBulkInterval(input: MlflowGetMetricHistoryBulkIntervalInput): MlflowGetMetricHistoryBulkIntervalResponse
  mlflowGetRun(input: MlflowGetRunInput): MlflowGetRunResponse
  mlflowListArtifacts(input: MlflowListArtifactsInput): MlflowListArtifactsResponse
  mlflowSearchModelVersions(input: MlflowSearchModelVersionsInput): MlflowSearchModelVersionsResponse
  "Returns its argument: a liveness probe for GraphQL clients."
  test(inputString: String): Test
}

type Mutation {
  mlflowSearchDatasets(input: MlflowSearchDatasetsInput): MlflowSearchDatasetsResponse
  mlflowSearchRuns(input: MlflowSearchRunsInput): MlflowSearchRunsResponse
  "Always null, as in MLflow 2.17."
  testMutation(inputString: String): TestMutation
}

type Test {
  output: String
}

type TestMutation {
  output: String
}

type ApiError {
  code: String
  message: String
  helpUrl: String
  traceId: String
  errorDetails: [ErrorDetail]
}

type ErrorDetail {
  field: String
  message: String
}

enum MlflowRunStatus {
  RUNNING
  SCHEDULED
  FINISHED
  FAILED
  KILLED
}

enum MlflowViewType {
  ACTIVE_ONLY
  DELETED_ONLY
  ALL
}

enum MlflowModelVersionStatus {
  PENDING_REGISTRATION
  FAILED_REGISTRATION
  READY
}

type MlflowExperimentTag {
  key: String
  value: String
}

type MlflowExperiment {
  experimentId: String
  name: String
  artifactLocation: String
  lifecycleStage: String
  lastUpdateTime: LongString
  creationTime: LongString
  tags: [MlflowExperimentTag!]
}

type MlflowMetric {
  key: String
  value: Float
  timestamp: LongString
  step: LongString
}

type MlflowMetricWithRunId {
  key: String
  value: Float
  timestamp: LongString
  step: LongString
  runId: String
}

type MlflowParam {
  key: String
  value: String
}

type MlflowRunTag {
  key: String
  value: String
}

type MlflowRunInfo {
  runId: String
  runUuid: String
  runName: String
  experimentId: String
  userId: String
  status: MlflowRunStatus
  startTime: LongString
  endTime: LongString
  artifactUri: String
  lifecycleStage: String
}

type MlflowRunData {
  metrics: [MlflowMetric!]
  params: [MlflowParam!]
  tags: [MlflowRunTag!]
}

type MlflowInputTag {
  key: String
  value: String
}

type MlflowDataset {
  name: String
  digest: String
  sourceType: String
  source: String
  schema: String
  profile: String
}

type MlflowDatasetInput {
  tags: [MlflowInputTag!]
  dataset: MlflowDataset
}

type MlflowRunInputs {
  datasetInputs: [MlflowDatasetInput!]
}

"A run with its experiment and the model versions made from it (fetched only when asked for)."
type MlflowRunExtension {
  info: MlflowRunInfo
  data: MlflowRunData
  inputs: MlflowRunInputs
  experiment: MlflowExperiment
  modelVersions: [MlflowModelVersion!]
}

type MlflowModelVersionTag {
  key: String
  value: String
}

type MlflowModelVersion {
  name: String
  version: String
  creationTimestamp: LongString
  lastUpdatedTimestamp: LongString
  userId: String
  currentStage: String
  description: String
  source: String
  runId: String
  status: MlflowModelVersionStatus
  statusMessage: String
  tags: [MlflowModelVersionTag!]
  runLink: String
  aliases: [String]
}

type MlflowFileInfo {
  path: String
  isDir: Boolean
  fileSize: LongString
}

type MlflowDatasetSummary {
  experimentId: String
  name: String
  digest: String
  context: String
}

type MlflowGetExperimentResponse {
  experiment: MlflowExperiment
  apiError: ApiError
}

type MlflowGetMetricHistoryBulkIntervalResponse {
  metrics: [MlflowMetricWithRunId!]
  apiError: ApiError
}

type MlflowGetRunResponse {
  run: MlflowRunExtension
  apiError: ApiError
}

type MlflowListArtifactsResponse {
  rootUri: String
  files: [MlflowFileInfo!]
  nextPageToken: String
  apiError: ApiError
}

type MlflowSearchModelVersionsResponse {
  modelVersions: [MlflowModelVersion!]
  nextPageToken: String
  apiError: ApiError
}

type MlflowSearchDatasetsResponse {
  datasetSummaries: [MlflowDatasetSummary!]
  apiError: ApiError
}

type MlflowSearchRunsResponse {
  runs: [MlflowRunExtension!]
  nextPageToken: String
  apiError: ApiError
}

input MlflowGetExperimentInput {
  experimentId: String
}

input MlflowGetMetricHistoryBulkIntervalInput {
  runIds: [String]
  metricKey: String
  startStep: Int
  endStep: Int
  maxResults: Int
}

input MlflowGetRunInput {
  runId: String
  runUuid: String
}

input MlflowListArtifactsInput {
  runId: String
  runUuid: String
  path: String
  pageToken: String
}

input MlflowSearchModelVersionsInput {
  filter: String
  maxResults: LongString
  orderBy: [String]
  pageToken: String
}

input MlflowSearchDatasetsInput {
  experimentIds: [String]
}

input MlflowSearchRunsInput {
  experimentIds: [String]
  filter: String
  runViewType: MlflowViewType = null
  maxResults: Int
  orderBy: [String]
  pageToken: String
}
`;

const INT64 = /^-?\d+$/;

/** Variables: an integer or a decimal string of one; kept as a string so no int64 digit is lost. */
function parseLongValue(value: unknown): string {
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  if (typeof value === 'string' && INT64.test(value.trim())) return value.trim();
  throw new GraphQLError(`LongString cannot represent value: ${JSON.stringify(value) ?? String(value)}`);
}

/** Literals: an integer literal; any other literal reads as null, as MLflow's LongString does. */
function parseLongLiteral(node: ValueNode): string | null {
  return node.kind === Kind.INT ? node.value : null;
}

/**
 * The executable schema. `buildSchema` leaves custom scalars as pass-through, so LongString gets its
 * serialisation here: int64 values leave as decimal strings.
 */
export function buildMlflowSchema(): GraphQLSchema {
  const schema = buildSchema(SDL);
  const longString = schema.getType('LongString');
  if (!(longString instanceof GraphQLScalarType)) throw new Error('LongString scalar missing from the GraphQL schema');
  longString.serialize = (value: unknown) => String(value);
  longString.parseValue = parseLongValue;
  longString.parseLiteral = parseLongLiteral;
  return schema;
}

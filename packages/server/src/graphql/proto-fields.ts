/**
 * How MLflow's GraphQL reads a field: graphene gets the attribute of a protobuf message, and an unset proto
 * field reads as its default ("" , 0, false, the first enum value, an empty list or message) rather than
 * null. Runlog's entities omit unset fields, so the defaults are filled in here from the field's type.
 * `apiError` is not a proto field: MLflow never sets it and it is always null.
 */
import {
  GraphQLBoolean,
  GraphQLFloat,
  GraphQLInt,
  GraphQLString,
  getNamedType,
  getNullableType,
  isEnumType,
  isListType,
  isObjectType,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
} from 'graphql';

export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function protoDefault(type: GraphQLOutputType): unknown {
  const nullable = getNullableType(type);
  if (isListType(nullable)) return [];
  if (isObjectType(nullable)) return {};
  if (isEnumType(nullable)) return nullable.getValues()[0]?.value;
  const named = getNamedType(nullable);
  if (named === GraphQLString) return '';
  if (named === GraphQLBoolean) return false;
  if (named === GraphQLInt || named === GraphQLFloat || named.name === 'LongString') return 0;
  return null;
}

export function protoField(source: unknown, info: GraphQLResolveInfo): unknown {
  const value = source !== null && typeof source === 'object' ? (source as Record<string, unknown>)[snakeCase(info.fieldName)] : undefined;
  if (value !== undefined && value !== null) return value;
  // Only MLflow's proto-backed types have defaults; Test/TestMutation and ApiError are plain objects.
  if (info.fieldName === 'apiError' || !info.parentType.name.startsWith('Mlflow')) return null;
  return protoDefault(info.returnType);
}

// A query whose root fields are all compiled record lists (`scamDens`, `suspects`,
// `interceptedFunds`, and `__typename`) is answered without graphql execution: the root fields'
// own resolvers run (so scope-auth, the complexity limit, argument coercion and the compiled
// statement are exactly those of an executed query), and the answer is then written straight
// from their connections of prepared nodes (prepared.ts), selection by selection, in response-key
// order, each leaf through its type's own `serialize`. Executing the same tree costs a resolver
// call, a resolve info and a completion per field: about 8 ms of CPU for the bench's page of 50
// dens with 10 suspects and 10 funds each (~9,000 fields; docs/architecture.md, "Read path").
// Anything this writer does not know gives undefined and the caller executes the document as
// before: a root field that is not a compiled list, a selection the compiler refuses, an
// abstract type, a null where the schema says non-null, a value not yet resolved, or any error
// (a refused scope, a bad cursor, the database): execution then gives the usual answer and errors.
import {
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLLeafType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { RequestContext } from '../context.ts';
import { collectFields, compiles, type Walk } from './compile.ts';
import type { RecordModel } from './models.ts';
import { COMPILED_TYPES, preparedValues } from './prepared.ts';

/** The root record lists a direct answer may hold: field → the record model and its cursors' connection. */
const ROOT_LISTS: Readonly<Record<string, RecordModel>> = { scamDens: 'ScamDen', suspects: 'Suspect', interceptedFunds: 'InterceptedFund' };
const RECORD_TYPES: ReadonlySet<string> = new Set(COMPILED_TYPES);

/** The part of an execution request a direct answer reads (graphql's ExecutionArgs, as envelop hands them over). */
export type DirectRequest = {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string | null | undefined;
  variableValues?: Record<string, unknown> | null | undefined;
  contextValue: RequestContext;
};

/** Thrown where the writer meets what it does not answer; the caller then executes the document. */
class NotDirect extends Error {}
const notDirect = (): never => {
  throw new NotDirect();
};

/** How a field's value is completed, from its output type, worked out once per selection. */
type Completion =
  | { kind: 'leaf'; nonNull: boolean; type: GraphQLLeafType }
  | { kind: 'list'; nonNull: boolean; of: Completion }
  | { kind: 'object'; nonNull: boolean; type: GraphQLObjectType };

function completionOf(type: GraphQLOutputType, nonNull = false): Completion {
  if (isNonNullType(type)) return completionOf(type.ofType, true);
  if (isListType(type)) return { kind: 'list', nonNull, of: completionOf(type.ofType) };
  if (isLeafType(type)) return { kind: 'leaf', nonNull, type };
  if (isObjectType(type)) return { kind: 'object', nonNull, type };
  return notDirect();
}

/** One field of an object's selection, as collected once per selection and request (`completion` absent: __typename). */
type Slot = { key: string; name: string; completion: Completion | undefined; nodes: FieldNode[] };

/** The request's walk plus its collected selections (the same field nodes select every node of a list). */
type Writer = Walk & { slots: Map<string, WeakMap<readonly FieldNode[], Slot[]>> };

function slotsOf(writer: Writer, type: GraphQLObjectType, nodes: readonly FieldNode[]): Slot[] {
  let byNodes = writer.slots.get(type.name);
  if (!byNodes) writer.slots.set(type.name, (byNodes = new WeakMap()));
  let slots = byNodes.get(nodes);
  if (!slots) {
    const sets = nodes.map((n) => n.selectionSet ?? notDirect());
    const fields = type.getFields();
    slots = [...collectFields(writer, type.name, sets)].map(([key, fieldNodes]) => {
      const name = fieldNodes[0]!.name.value;
      const completion = name === '__typename' ? undefined : completionOf((fields[name] ?? notDirect()).type);
      return { key, name, completion, nodes: fieldNodes };
    });
    byNodes.set(nodes, slots);
  }
  return slots;
}

/** A value completed as graphql-js completes it, or NotDirect where that would be an error or need a resolver. */
function complete(writer: Writer, completion: Completion, value: unknown, nodes: readonly FieldNode[]): unknown {
  if (value === null || value === undefined) return completion.nonNull ? notDirect() : null;
  switch (completion.kind) {
    case 'leaf':
      return completion.type.serialize(value) ?? notDirect();
    case 'list':
      return Array.isArray(value) ? value.map((item) => complete(writer, completion.of, item, nodes)) : notDirect();
    case 'object':
      return writeObject(writer, completion.type, value, nodes);
  }
}

/**
 * An object of the compiled tree: a record node from its prepared values (by response key); a
 * connection, edge or page info from its properties, as their Pothos fields read them
 * (`totalCount` may be a function of the connection, a seal on read for `cursor`).
 */
function writeObject(writer: Writer, type: GraphQLObjectType, value: unknown, nodes: readonly FieldNode[]): Record<string, unknown> {
  const prepared = RECORD_TYPES.has(type.name) ? (preparedValues(value) ?? notDirect()) : undefined;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const slot of slotsOf(writer, type, nodes)) {
    if (!slot.completion) {
      out[slot.key] = type.name;
      continue;
    }
    let field: unknown;
    if (prepared) field = slot.key in prepared ? prepared[slot.key] : notDirect();
    else {
      field = source[slot.name];
      if (typeof field === 'function') field = (field as () => unknown).call(source);
      if (typeof (field as PromiseLike<unknown> | null)?.then === 'function') notDirect();
    }
    out[slot.key] = complete(writer, slot.completion, field, slot.nodes);
  }
  return out;
}

function fragmentsOf(document: DocumentNode): Record<string, FragmentDefinitionNode> {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  return fragments;
}

function rootInfo(writer: Writer, operation: OperationDefinitionNode, query: GraphQLObjectType, key: string, nodes: FieldNode[]): GraphQLResolveInfo {
  const field = query.getFields()[nodes[0]!.name.value]!;
  return {
    fieldName: field.name,
    fieldNodes: nodes,
    returnType: field.type,
    parentType: query,
    path: { prev: undefined, key, typename: query.name },
    schema: writer.schema,
    fragments: writer.fragments,
    rootValue: undefined,
    operation,
    variableValues: writer.variables,
  };
}

/**
 * The answer to a query of compiled record lists only, written without graphql execution, or
 * undefined when the document is anything else or any step fails (the caller then executes it).
 */
export async function executeDirect(request: DirectRequest): Promise<ExecutionResult | undefined> {
  const ctx = request.contextValue;
  if (!ctx.compiledReads) return undefined;
  const operation = getOperationAST(request.document, request.operationName);
  const query = request.schema.getQueryType();
  if (operation?.operation !== 'query' || !query) return undefined;
  const coerced = getVariableValues(request.schema, operation.variableDefinitions ?? [], request.variableValues ?? {});
  if (coerced.errors) return undefined;
  const writer: Writer = { schema: request.schema, variables: coerced.coerced, fragments: fragmentsOf(request.document), slots: new Map() };
  try {
    const roots = [...collectFields(writer, query.name, [operation.selectionSet])];
    for (const [, nodes] of roots) {
      const name = nodes[0]!.name.value;
      if (name === '__typename') continue;
      const model = ROOT_LISTS[name];
      if (!model || nodes.some((n) => n.name.value !== name) || !compiles(writer, model, `Query.${name}`, nodes)) return undefined;
    }
    const values = await Promise.all(
      roots.map(([key, nodes]) => {
        const field = query.getFields()[nodes[0]!.name.value];
        if (!field) return query.name;
        const args = getArgumentValues(field, nodes[0]!, writer.variables);
        return (field.resolve ?? notDirect)(undefined, args, ctx, rootInfo(writer, operation, query, key, nodes));
      }),
    );
    const data: Record<string, unknown> = {};
    roots.forEach(([key, nodes], i) => {
      const field = query.getFields()[nodes[0]!.name.value];
      data[key] = field ? complete(writer, completionOf(field.type), values[i], nodes) : values[i];
    });
    return { data };
  } catch {
    // A refused selection, a missing scope, a bad argument or cursor, the database: execution answers it.
    return undefined;
  }
}


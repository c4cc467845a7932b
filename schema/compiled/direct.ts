// A query whose root fields are all compiled record lists (`scamDens`, `suspects`,
// `interceptedFunds`, and `__typename`) is answered without graphql execution: the root fields'
// own resolvers run (so scope-auth, the complexity limit, argument coercion and the compiled
// statement are exactly those of an executed query), asked to hand back their statement's JSON
// undecoded (compile.ts, RawConnection), and the answer is written straight from that JSON,
// selection by selection, in response-key order, each leaf through its type's own `serialize`,
// pages cut and cursors sealed by the same functions as pageConnection's. Executing the same tree
// costs a resolver call, a resolve info and a completion per field, and decoding it first costs
// an object per node and edge: most of the gateway's CPU for the bench's page of 50 dens with 10
// suspects and 10 funds each (~9,000 fields; docs/architecture.md, "Read path").
// Anything this writer does not know gives undefined and the caller executes the document as
// before: a root field that is not a compiled list, a selection the compiler refuses, an
// abstract type, a null where the schema says non-null, or any error (a refused scope, a bad
// cursor, the database): execution then gives the usual answer and errors.
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
import { cursorAt, cutPage, pagerOf } from '../paging.ts';
import {
  answerRaw,
  collectFields,
  planConnectionOf,
  RawConnection,
  shownValue,
  type ConnectionJson,
  type Decode,
  type NodeJson,
  type ConnectionPlan,
  type NodePlan,
  type Walk,
} from './compile.ts';
import type { RecordModel } from './models.ts';

/** The root record lists a direct answer may hold: field → its record model (its cursors' connection is `Query.<field>`). */
const ROOT_LISTS: Readonly<Record<string, RecordModel>> = { scamDens: 'ScamDen', suspects: 'Suspect', interceptedFunds: 'InterceptedFund' };

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

/**
 * The request's walk plus its collected selections, by the field nodes that select them: the same
 * nodes select every object of a list, and each array of nodes (collectFields makes one per
 * response key) selects objects of one type only.
 */
type Writer = Walk & { slots: Map<readonly FieldNode[], Slot[]> };

function slotsOf(writer: Writer, type: GraphQLObjectType, nodes: readonly FieldNode[]): Slot[] {
  let slots = writer.slots.get(nodes);
  if (!slots) {
    const sets = nodes.map((n) => n.selectionSet ?? notDirect());
    const fields = type.getFields();
    slots = [...collectFields(writer, type.name, sets)].map(([key, fieldNodes]) => {
      const name = fieldNodes[0]!.name.value;
      const completion = name === '__typename' ? undefined : completionOf((fields[name] ?? notDirect()).type);
      return { key, name, completion, nodes: fieldNodes };
    });
    writer.slots.set(nodes, slots);
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

/** The object type a completion writes, or NotDirect. */
const objectOf = (completion: Completion): GraphQLObjectType => (completion.kind === 'object' ? completion.type : notDirect());

/** Each node plan's entries by response key (a plan serves every node of its list). */
const entryIndexes = new WeakMap<NodePlan, Map<string, number>>();
function entryIndex(plan: NodePlan): Map<string, number> {
  let index = entryIndexes.get(plan);
  if (!index) entryIndexes.set(plan, (index = new Map(plan.entries.map((entry, i) => [entry.key, i]))));
  return index;
}

/**
 * An object of the answer: a compiled connection (its statement's JSON, written straight into
 * the response) or a connection's page info; anything else (a Prisma path's rows) is executed.
 */
function writeObject(writer: Writer, type: GraphQLObjectType, value: unknown, nodes: readonly FieldNode[]): Record<string, unknown> {
  if (value instanceof RawConnection) return writeConnection(writer, type, value, nodes);
  if (type.name !== 'PageInfo') return notDirect();
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const slot of slotsOf(writer, type, nodes)) {
    out[slot.key] = slot.completion ? complete(writer, slot.completion, source[slot.name], slot.nodes) : type.name;
  }
  return out;
}

/** A connection from its statement's JSON: the page cut as pageConnection cuts it, cursors sealed only where asked. */
function writeConnection(writer: Writer, type: GraphQLObjectType, raw: RawConnection, nodes: readonly FieldNode[]): Record<string, unknown> {
  const { page, hasPreviousPage, hasNextPage } = cutPage(raw.args, raw.json[1]);
  const pager = pagerOf(raw.decode.ctx, raw.plan.connection);
  // One seal per edge, shared by its edge and the page info (a page's start cursor is its first edge's).
  const sealed: (string | undefined)[] = [];
  const cursor = (i: number) => (sealed[i] ??= cursorAt(pager, page[i]![0]));
  const out: Record<string, unknown> = {};
  for (const slot of slotsOf(writer, type, nodes)) {
    if (!slot.completion) out[slot.key] = type.name;
    else if (slot.name === 'totalCount') out[slot.key] = complete(writer, slot.completion, Number(raw.json[0] ?? 0), slot.nodes);
    else if (slot.name === 'pageInfo') {
      const info = {
        hasPreviousPage,
        hasNextPage,
        get startCursor() {
          return page.length ? cursor(0) : null;
        },
        get endCursor() {
          return page.length ? cursor(page.length - 1) : null;
        },
      };
      out[slot.key] = complete(writer, slot.completion, info, slot.nodes);
    } else if (slot.name === 'edges' && slot.completion.kind === 'list') {
      const edgeType = objectOf(slot.completion.of);
      out[slot.key] = page.map((row, i) => writeEdge(writer, edgeType, () => cursor(i), raw, row, slot.nodes));
    } else notDirect();
  }
  return out;
}

function writeEdge(writer: Writer, type: GraphQLObjectType, cursor: () => string, raw: RawConnection, row: NodeJson, nodes: readonly FieldNode[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const slot of slotsOf(writer, type, nodes)) {
    if (!slot.completion) out[slot.key] = type.name;
    else if (slot.name === 'cursor') out[slot.key] = complete(writer, slot.completion, cursor(), slot.nodes);
    else if (slot.name === 'node') out[slot.key] = writeNode(writer, objectOf(slot.completion), raw.plan.node, row, raw.decode, slot.nodes);
    else notDirect();
  }
  return out;
}

/** A record node from its statement's JSON: each response key's entry of the node plan. */
function writeNode(writer: Writer, type: GraphQLObjectType, plan: NodePlan, row: NodeJson, decode: Decode, nodes: readonly FieldNode[]): Record<string, unknown> {
  const index = entryIndex(plan);
  const out: Record<string, unknown> = {};
  for (const slot of slotsOf(writer, type, nodes)) {
    if (!slot.completion) {
      out[slot.key] = type.name;
      continue;
    }
    const i = index.get(slot.key) ?? notDirect();
    const entry = plan.entries[i]!;
    const value = row[plan.at[i]!];
    switch (entry.kind) {
      case 'id':
      case 'column':
        out[slot.key] = complete(writer, slot.completion, shownValue(plan.model, entry, row, plan.at[i]!, decode), slot.nodes);
        break;
      case 'link':
        out[slot.key] =
          value === null || value === undefined
            ? complete(writer, slot.completion, null, slot.nodes)
            : writeNode(writer, objectOf(slot.completion), entry.node, value as NodeJson, decode, slot.nodes);
        break;
      case 'connection':
        out[slot.key] = writeConnection(writer, objectOf(slot.completion), new RawConnection(entry.plan, entry.args, value as ConnectionJson, decode), slot.nodes);
        break;
    }
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
  try {
    const coerced = getVariableValues(request.schema, operation.variableDefinitions ?? [], request.variableValues ?? {});
    if (coerced.errors) return undefined;
    const writer: Writer = { schema: request.schema, variables: coerced.coerced, fragments: fragmentsOf(request.document), slots: new Map() };
    const roots = [...collectFields(writer, query.name, [operation.selectionSet])];
    // Each root list's plan, made once here and handed to its resolver's compileRecordConnection.
    const plans: (ConnectionPlan | undefined)[] = [];
    for (const [, nodes] of roots) {
      const name = nodes[0]!.name.value;
      if (name === '__typename') {
        plans.push(undefined);
        continue;
      }
      const model = ROOT_LISTS[name];
      const plan = model && !nodes.some((n) => n.name.value !== name) ? planConnectionOf(writer, model, `Query.${name}`, nodes) : undefined;
      if (!plan) return undefined;
      plans.push(plan);
    }
    const values = await Promise.all(
      roots.map(([key, nodes], i) => {
        const field = query.getFields()[nodes[0]!.name.value];
        if (!field) return query.name;
        const args = getArgumentValues(field, nodes[0]!, writer.variables);
        return (field.resolve ?? notDirect)(undefined, args, ctx, answerRaw(rootInfo(writer, operation, query, key, nodes), plans[i]!));
      }),
    );
    const data: Record<string, unknown> = {};
    roots.forEach(([key, nodes], i) => {
      const field = query.getFields()[nodes[0]!.name.value];
      data[key] = field ? complete(writer, completionOf(field.type), values[i], nodes) : values[i];
    });
    return { data };
  } catch {
    // A refused selection, a missing scope, bad variables, arguments or cursors, the database: execution answers it.
    return undefined;
  }
}


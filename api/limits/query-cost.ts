// What a GraphQL operation costs against its agency's cost points per minute: an estimate of
// the database work it causes, computed from the document before anything runs. One point
// for every object, list of objects or count the operation asks for, each time it is resolved:
// a connection's page (`first`/`last`, also from variables and their defaults, 20 when
// omitted) multiplies everything selected in its `edges`, a list of objects other than a page
// multiplies by 10, and the Relay plumbing (`edges`, `node`, `pageInfo`) is free. So
// `suspects(first: 100) { edges { node { den { id } operation { code } alsoReportedBy { code } } } }`
// costs 1 + 100 × 3 = 301 points: the page's query plus a lookup per suspect for each relation.
//
// This is not the per-query complexity ceiling of schema/builder.ts, which prices every field
// (scalars too) and refuses one oversized document; this one counts round trips to the
// database, the work a stream of admitted queries makes everyone else wait for.
import {
  getNamedType,
  GraphQLInt,
  getVariableValues,
  isCompositeType,
  isListType,
  isNonNullType,
  Kind,
  valueFromAST,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type TypeNode,
  type VariableDefinitionNode,
} from 'graphql';

/** Page size of a connection whose `first`/`last` is omitted (schema/builder.ts, defaultConnectionSize). */
export const DEFAULT_PAGE = 20;
/** How many items a list of objects other than a connection page is reckoned to hold. */
export const LIST_ITEMS = 10;
/** The Relay plumbing: resolved from the page already loaded, never from the database. */
const PLUMBING = new Set(['edges', 'node', 'pageInfo']);

type Walk = { schema: GraphQLSchema; fragments: Map<string, FragmentDefinitionNode>; variables: Record<string, unknown> };

function returnsList(type: GraphQLOutputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

/**
 * `first` or `last` of a paged field as the request gives it, a literal or a variable (20 when
 * neither is given); undefined for other fields. Only these two arguments are read: the
 * others (a match's hundred identifiers) are coerced once, by execution.
 */
function pageSize(field: GraphQLField<unknown, unknown>, selection: FieldNode, walk: Walk): number | undefined {
  if (!field.args.some((a) => a.name === 'first' || a.name === 'last')) return undefined;
  const given = (name: string) => {
    const node = selection.arguments?.find((a) => a.name.value === name)?.value;
    return node ? valueFromAST(node, GraphQLInt, walk.variables) : undefined;
  };
  const size = given('first') ?? given('last');
  return typeof size === 'number' && size > 0 ? size : DEFAULT_PAGE;
}

const namedTypeOf = (type: TypeNode): string => (type.kind === Kind.NAMED_TYPE ? type.name.value : namedTypeOf(type.type));

/** The variables that can be page sizes (Int), the only ones pageSize reads. */
const pageVariables = (definitions: readonly VariableDefinitionNode[]) => definitions.filter((d) => namedTypeOf(d.type) === 'Int');

/**
 * The cost of one selection set on `type`; `page` is the page size when `type` is a
 * connection, which multiplies its `edges` (and not `totalCount` or `pageInfo`).
 */
function selectionCost(walk: Walk, selectionSet: SelectionSetNode, type: GraphQLCompositeType, seen: ReadonlySet<string>, page?: number): number {
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const name = selection.name.value;
      const fragment = walk.fragments.get(name);
      // A cycle or an unknown fragment was refused by validation already; never loop on one.
      if (!fragment || seen.has(name)) continue;
      const on = walk.schema.getType(fragment.typeCondition.name.value);
      if (isCompositeType(on)) cost += selectionCost(walk, fragment.selectionSet, on, new Set([...seen, name]), page);
      continue;
    }
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const on = selection.typeCondition ? walk.schema.getType(selection.typeCondition.name.value) : type;
      if (isCompositeType(on)) cost += selectionCost(walk, selection.selectionSet, on, seen, page);
      continue;
    }
    if (!('getFields' in type)) continue; // a union selects only __typename and fragments
    const field = type.getFields()[selection.name.value];
    if (!field) continue; // __typename and the introspection fields
    const named = getNamedType(field.type);
    const plumbing = PLUMBING.has(field.name);
    const own = (isCompositeType(named) && !plumbing) || field.name === 'totalCount' ? 1 : 0;
    let inside = 0;
    if (selection.selectionSet && isCompositeType(named)) {
      const size = pageSize(field, selection, walk);
      if (size !== undefined) inside = selectionCost(walk, selection.selectionSet, named, seen, size);
      else {
        const times = field.name === 'edges' ? (page ?? 1) : returnsList(field.type) && !plumbing ? LIST_ITEMS : 1;
        inside = times * selectionCost(walk, selection.selectionSet, named, seen);
      }
    }
    cost += own + inside;
  }
  return cost;
}

/**
 * The cost of the operation `operationName` (or the only one) of a validated document, with
 * the request's page-size variables (their declared defaults filled in, as execution sees them).
 */
export function queryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName?: string | null,
): number {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return 0;
  const coerced = getVariableValues(schema, pageVariables(operation.variableDefinitions ?? []), variables ?? {});
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  return selectionCost({ schema, fragments, variables: coerced.coerced ?? {} }, operation.selectionSet, root, new Set());
}

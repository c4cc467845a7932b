// Record reads compiled to one SQL statement per root field, as PostGraphile does: the GraphQL
// selection under `scamDens`, `suspects` or `interceptedFunds` (look-ahead through `info`) becomes
// one statement in which PostgreSQL pages the records, pages each one's nested record
// connections and follows its links (LEFT JOIN LATERAL), counts what totalCount asks, and
// builds the nested result with json_build_array/json_agg. Only the columns asked for are read;
// every record table is filtered by the one sharing fragment (schema/sharing.ts, visibleRecordSql)
// with the viewer bound as a parameter.
// The statement's text depends on the selection's shape only: every value (viewer, instant,
// filter, cursors, page sizes) is a parameter. So a shape is one named prepared statement
// (kernel/db.ts names statements by the hash of their text and caches that name): PostgreSQL
// parses and plans it once per connection, and each request binds its values.
// A selection with anything the compiler does not know (a field missing from models.ts, a
// directive other than @skip/@include, a fragment on another type) compiles to undefined and the
// caller answers it by the Prisma path: the compiled path is never the only one.
// The answer is shaped as the Prisma path's: connections from pageConnection (the same cursors,
// pageInfo and totalCount) over nodes that carry their prepared field values (prepared.ts).
import {
  getArgumentValues,
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { encodeGlobalID } from '@pothos/plugin-relay';
import type { RequestContext, Viewer } from '../context.ts';
import { exposedKeyForViewer } from '../exposed-keys.ts';
import { PAGE_SIZE, pageConnection, pageQuery, pagerOf, type PageArgs, type PageConnection } from '../paging.ts';
import { SqlParams, visibleOperationSql, visibleRecordSql } from '../sharing.ts';
import { MODELS, renderColumn, type ModelSql, type RecordModel } from './models.ts';
import { preparedNode, type PreparedNode } from './prepared.ts';

/** A record list's filter as the root field receives it (already coerced by GraphQL). */
export type RecordFilter = Record<string, unknown> & { operationCode?: string | null; owner?: string | null };

/** What planning reads of the request: the schema, the coerced variables and the document's fragments. */
export type Walk = { schema: GraphQLSchema; variables: Record<string, unknown>; fragments: Record<string, FragmentDefinitionNode> };

/** What one node selection reads: per response key, a column, the global id, a link or a connection. */
/** A node's entries, and where each one's value stands in the node's flat JSON array (`[id, values…]`: the id at 0, a sealed key as two values). */
export type NodePlan = { model: RecordModel; entries: Entry[]; at: number[] };
export type Entry =
  | { key: string; kind: 'id' }
  | { key: string; kind: 'column'; column: string; type: string }
  | { key: string; kind: 'link'; link: string; node: NodePlan }
  | { key: string; kind: 'connection'; field: string; args: PageArgs; plan: ConnectionPlan };
export type ConnectionPlan = { model: RecordModel; connection: string; total: boolean; node: NodePlan };

class NotCompiled extends Error {}
const refuse = (): never => {
  throw new NotCompiled();
};

/** The fields of `sets` by response key, through fragments and @skip/@include, as graphql's collectFields does. */
export function collectFields(walk: Walk, typeName: string, sets: readonly SelectionSetNode[]): Map<string, FieldNode[]> {
  const fields = new Map<string, FieldNode[]>();
  const visit = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (!included(walk, selection)) continue;
      if (selection.kind === 'Field') {
        const key = selection.alias?.value ?? selection.name.value;
        fields.set(key, [...(fields.get(key) ?? []), selection]);
      } else if (selection.kind === 'InlineFragment') {
        const on = selection.typeCondition?.name.value;
        if (on !== undefined && on !== typeName && on !== 'Node') refuse();
        visit(selection.selectionSet);
      } else {
        const fragment = walk.fragments[selection.name.value] ?? refuse();
        const on = fragment.typeCondition.name.value;
        if (on !== typeName && on !== 'Node') refuse();
        visit(fragment.selectionSet);
      }
    }
  };
  for (const set of sets) visit(set);
  return fields;
}

function included(walk: Walk, node: { directives?: readonly { name: { value: string } }[] | undefined }): boolean {
  if (!node.directives?.length) return true;
  for (const directive of node.directives) {
    if (directive.name.value !== 'skip' && directive.name.value !== 'include') refuse();
  }
  const variables = walk.variables;
  if (getDirectiveValues(GraphQLSkipDirective, node as FieldNode, variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node as FieldNode, variables)?.if !== false;
}

/** The one field name behind a response key; two different fields (or arguments) under one key are not compiled. */
function fieldName(nodes: readonly FieldNode[]): string {
  const name = nodes[0]!.name.value;
  if (nodes.some((n) => n.name.value !== name)) refuse();
  return name;
}

function subSelections(nodes: readonly FieldNode[]): SelectionSetNode[] {
  return nodes.map((n) => n.selectionSet ?? refuse());
}

function objectType(walk: Walk, name: string): GraphQLObjectType {
  return walk.schema.getType(name) as GraphQLObjectType;
}

function planNode(walk: Walk, model: RecordModel, sets: readonly SelectionSetNode[]): NodePlan {
  const sql = MODELS[model];
  const entries: Entry[] = [];
  for (const [key, nodes] of collectFields(walk, model, sets)) {
    const name = fieldName(nodes);
    if (name === '__typename') continue;
    if (name === 'id') entries.push({ key, kind: 'id' });
    else if (sql.columns[name]) entries.push({ key, kind: 'column', column: sql.columns[name][0], type: sql.columns[name][1] });
    else if (sql.links[name]) {
      const link = sql.links[name];
      entries.push({ key, kind: 'link', link: link.column, node: planNode(walk, link.model, subSelections(nodes)) });
    } else if (sql.connections[name]) {
      const nested = sql.connections[name];
      if (nodes.length > 1) refuse();
      const field = objectType(walk, model).getFields()[name] ?? refuse();
      const args = getArgumentValues(field, nodes[0]!, walk.variables) as PageArgs;
      entries.push({ key, kind: 'connection', field: name, args, plan: planConnection(walk, nested.model, nested.connection, subSelections(nodes)) });
    } else refuse();
  }
  const at: number[] = [];
  let next = 1;
  for (const entry of entries) {
    at.push(entry.kind === 'id' ? 0 : next);
    if (entry.kind !== 'id') next += entry.kind === 'column' && entry.type === 'sealed' ? 2 : 1;
  }
  return { model, entries, at };
}

function planConnection(walk: Walk, model: RecordModel, connection: string, sets: readonly SelectionSetNode[]): ConnectionPlan {
  let total = false;
  const nodeSets: SelectionSetNode[] = [];
  for (const [, nodes] of collectFields(walk, `${model}Connection`, sets)) {
    const name = fieldName(nodes);
    if (name === 'totalCount') total = true;
    else if (name === 'edges') {
      for (const [, edgeNodes] of collectFields(walk, `${model}Edge`, subSelections(nodes))) {
        const edgeField = fieldName(edgeNodes);
        if (edgeField === 'node') nodeSets.push(...subSelections(edgeNodes));
        else if (edgeField !== 'cursor' && edgeField !== '__typename') refuse();
      }
    } else if (name !== 'pageInfo' && name !== '__typename') refuse();
  }
  return { model, connection, total, node: planNode(walk, model, nodeSets) };
}

/** SQL builder state of one statement: parameters, fresh aliases, the viewer. */
type Build = { params: SqlParams; viewer: Viewer; ctx: RequestContext; alias: number };
const nextAlias = (build: Build, prefix: string) => `${prefix}${(build.alias += 1)}`;

/**
 * One node over row alias `row` as one flat JSON array, `[id, values…]` in the order of `plan.at`
 * (one json_build_array per row: nesting a second one per row, or a third for a sealed key, cost
 * PostgreSQL a fifth of the bench statement's time), with the LATERAL joins it needs.
 */
function nodeSql(build: Build, plan: NodePlan, row: string): { json: string; joins: string[] } {
  const joins: string[] = [];
  const items = plan.entries.map((entry) => {
    switch (entry.kind) {
      case 'id':
        return undefined;
      case 'column':
        return renderColumn(row, entry.column, entry.type as never);
      case 'link': {
        const lateral = nextAlias(build, 'l');
        const target = nextAlias(build, 't');
        const model = MODELS[entry.node.model];
        const inner = nodeSql(build, entry.node, target);
        joins.push(`LEFT JOIN LATERAL (SELECT ${inner.json} AS j FROM ${model.table} ${target} ${inner.joins.join(' ')}
          WHERE ${target}.id = ${row}.${entry.link} AND ${visibleRecordSql(build.viewer, model.table, target, build.params)}) ${lateral} ON true`);
        return `${lateral}.j`;
      }
      case 'connection': {
        const lateral = nextAlias(build, 'c');
        const foreignKey = MODELS[plan.model].connections[entry.field]!.foreignKey;
        const body = connectionSql(build, entry.plan, entry.args, (alias) => `${alias}.${foreignKey} = ${row}.id`);
        joins.push(`LEFT JOIN LATERAL (SELECT ${body} AS j) ${lateral} ON true`);
        return `${lateral}.j`;
      }
    }
  });
  return { json: `json_build_array(${[`${row}.id`, ...items.filter((item) => item !== undefined)].join(', ')})`, joins };
}

/** The columns a node's SQL reads from its row: the id, its scalar columns and its links' columns. */
function rowColumns(plan: NodePlan): string[] {
  const columns = new Set(['id']);
  for (const entry of plan.entries) {
    if (entry.kind === 'column') columns.add(entry.column);
    // A sealed key is sealed for its record's owner: the owner comes along.
    if (entry.kind === 'column' && entry.type === 'sealed') columns.add('owner_id');
    if (entry.kind === 'link') columns.add(entry.link);
  }
  return [...columns];
}

/**
 * A page's LIMIT, written into the statement's text rather than bound: with `LIMIT $n` the
 * generic plan PostgreSQL settles on for a prepared statement assumes a tenth of the table and
 * took 30 ms for the bench's page, so every execution was planned afresh (custom plans, about
 * a third of the statement's time); with the literal the generic plan is the good one and is
 * reused. Page sizes are 1–101 (PAGE_SIZE, one row more than asked), so each selection shape
 * has at most that many texts per connection.
 */
function limitLiteral(take: number): string {
  if (!Number.isInteger(take) || take < 1 || take > PAGE_SIZE.max + 1) throw new Error(`page size ${take} out of range`);
  return String(take);
}

/**
 * `json_build_array(total or null, rows)` of one connection: the page (keyset by id, one row more
 * than asked, as pageQuery says) of the visible rows matching `scope`, each as its node's array.
 */
function connectionSql(build: Build, plan: ConnectionPlan, args: PageArgs, scope: (alias: string) => string): string {
  const model: ModelSql = MODELS[plan.model];
  const page = pageQuery(pagerOf(build.ctx, plan.connection), args);
  const rows = nextAlias(build, 'r');
  const where = (alias: string) => `${scope(alias)} AND ${visibleRecordSql(build.viewer, model.table, alias, build.params)}`;
  const window = [
    page.where.id?.gt !== undefined ? ` AND ${rows}.id > ${build.params.add(page.where.id.gt, 'uuid')}` : '',
    page.where.id?.lt !== undefined ? ` AND ${rows}.id < ${build.params.add(page.where.id.lt, 'uuid')}` : '',
  ].join('');
  const direction = page.orderBy.id === 'asc' ? 'ASC' : 'DESC';
  const node = nodeSql(build, plan.node, rows);
  const selected = rowColumns(plan.node).map((c) => `${rows}.${c}`).join(', ');
  const counted = nextAlias(build, 'n');
  const total = plan.total ? `(SELECT count(*) FROM ${model.table} ${counted} WHERE ${where(counted)})` : 'NULL';
  return `json_build_array(${total}, coalesce((SELECT json_agg(${node.json} ORDER BY ${rows}.id ${direction})
    FROM (SELECT ${selected} FROM ${model.table} ${rows} WHERE ${where(rows)}${window}
          ORDER BY ${rows}.id ${direction} LIMIT ${limitLiteral(page.take)}) ${rows}
    ${node.joins.join('\n    ')}), '[]'::json))`;
}

/** The root filter as SQL over `alias`: operationCode (the viewer's own operations only), owner, then the model's columns. */
function filterSql(build: Build, model: ModelSql, filter: RecordFilter | null | undefined, alias: string): string {
  const conditions: string[] = [];
  for (const [name, value] of Object.entries(filter ?? {})) {
    if (value === null || value === undefined || value === '') continue;
    if (name === 'operationCode') {
      const ref = String(value);
      const slash = ref.indexOf('/');
      const code = build.params.add(slash < 0 ? ref : ref.slice(slash + 1), 'text');
      const lead = slash < 0 ? '' : ` AND o.lead_id IN (SELECT la.id FROM agency la WHERE la.code = ${build.params.add(ref.slice(0, slash), 'text')})`;
      conditions.push(`${alias}.operation_id IN (SELECT o.id FROM operation o WHERE o.code = ${code}${lead} AND ${visibleOperationSql(build.viewer, 'o.id', build.params)})`);
    } else if (name === 'owner') {
      conditions.push(`${alias}.owner_id IN (SELECT oa.id FROM agency oa WHERE oa.code = ${build.params.add(String(value), 'text')})`);
    } else {
      const column = model.filters[name] ?? refuse();
      const bound = column.upper ? String(value).toUpperCase() : value;
      conditions.push(`${alias}.${column.column} = ${build.params.add(bound, column.cast)}`);
    }
  }
  return conditions.length ? conditions.join(' AND ') : 'TRUE';
}

/** A stored pseudonym as the viewer is shown it: sealed for the viewer and the record's owner. */
function sealed(decode: Decode, ownerId: unknown, storedKey: unknown): string | null {
  return storedKey === null || storedKey === undefined ? null : exposedKeyForViewer(decode.ctx.cursorKey, decode.viewer.agencyId, ownerId as string, storedKey as string);
}

/** What decoding needs: the request (its pagers and keys) and the viewer keys are sealed for. */
export type Decode = { ctx: RequestContext; viewer: Viewer };

/** An id or column entry's value in the node's JSON (at `at`), shown as the response shows it: the global id, a sealed key. */
export function shownValue(model: RecordModel, entry: Extract<Entry, { kind: 'id' | 'column' }>, row: NodeJson, at: number, decode: Decode): unknown {
  if (entry.kind === 'id') return encodeGlobalID(model, row[0]);
  return entry.type === 'sealed' ? sealed(decode, row[at], row[at + 1]) : row[at];
}

/** The JSON of one node as the statement built it, back into a node carrying its prepared values. */
function decodeNode(plan: NodePlan, row: NodeJson, decode: Decode): PreparedNode {
  const prepared: Record<string, unknown> = {};
  plan.entries.forEach((entry, i) => {
    const value = row[plan.at[i]!];
    switch (entry.kind) {
      case 'id':
      case 'column':
        prepared[entry.key] = shownValue(plan.model, entry, row, plan.at[i]!, decode);
        break;
      case 'link': {
        const linked = value as NodeJson | null;
        prepared[entry.key] = linked === null ? null : decodeNode(entry.node, linked, decode);
        break;
      }
      case 'connection':
        prepared[entry.key] = decodeConnection(entry.plan, entry.args, value as ConnectionJson, decode);
        break;
    }
  });
  return preparedNode(row[0], prepared);
}

/** A node as its statement builds it: [row id, entry values…] (where each entry's starts: NodePlan.at). */
export type NodeJson = [id: string, ...values: unknown[]];
/** A connection as its statement builds it: [totalCount or null, [node…]]. */
export type ConnectionJson = [number | null, NodeJson[]];

function decodeConnection(plan: ConnectionPlan, args: PageArgs, [total, rows]: ConnectionJson, decode: Decode): PageConnection<PreparedNode> {
  const { ctx } = decode;
  const nodes = rows.map((row) => decodeNode(plan.node, row, decode));
  const count = Number(total ?? 0);
  return pageConnection(pagerOf(ctx, plan.connection), args, nodes, () => count);
}

/**
 * A compiled connection as its statement answered it, not decoded into nodes: what the direct
 * writer (direct.ts) writes straight into the response, for the root fields it asks this of.
 */
export class RawConnection {
  constructor(
    readonly plan: ConnectionPlan,
    readonly args: PageArgs,
    readonly json: ConnectionJson,
    readonly decode: Decode,
  ) {}
}

/** The infos direct.ts built for its root fields, with the plan it already made of each. */
const RAW_ANSWERS = new WeakMap<GraphQLResolveInfo, ConnectionPlan>();

/**
 * Makes compileRecordConnection answer the field resolved with `info` as a RawConnection, from
 * `plan` (planConnectionOf's, made of the same selection and variables) instead of planning again.
 */
export function answerRaw(info: GraphQLResolveInfo, plan: ConnectionPlan): GraphQLResolveInfo {
  RAW_ANSWERS.set(info, plan);
  return info;
}

/** The plan of a record connection selected by `fieldNodes`, or undefined when the read compiler does not know every field it asks for. */
export function planConnectionOf(walk: Walk, model: RecordModel, connection: string, fieldNodes: readonly FieldNode[]): ConnectionPlan | undefined {
  try {
    return planConnection(walk, model, connection, subSelections(fieldNodes));
  } catch (error) {
    if (error instanceof NotCompiled) return undefined;
    throw error;
  }
}

/** Where a compiled connection's records come from: a root list (its filter) or an operation's records. */
export type ConnectionSource =
  | { kind: 'root'; filter?: RecordFilter | null | undefined }
  | { kind: 'operation'; operationId: string };

/**
 * A record connection answered by one compiled statement: a root list (`scamDens`, `suspects`,
 * `interceptedFunds`) or an operation's list (`Operation.suspects`…), or undefined when its
 * selection holds something the compiler does not know. `connection` names the cursors' connection.
 */
export async function compileRecordConnection(
  ctx: RequestContext,
  viewer: Viewer,
  info: GraphQLResolveInfo,
  model: RecordModel,
  connection: string,
  args: PageArgs,
  source: ConnectionSource,
): Promise<PageConnection<PreparedNode> | RawConnection | undefined> {
  const walk: Walk = { schema: info.schema, variables: info.variableValues, fragments: info.fragments };
  const build: Build = { params: new SqlParams(), viewer, ctx, alias: 0 };
  const planned = RAW_ANSWERS.get(info);
  let plan: ConnectionPlan;
  let sql: string;
  try {
    plan = planned ?? planConnection(walk, model, connection, subSelections(info.fieldNodes));
    const scope =
      source.kind === 'root'
        ? (alias: string) => filterSql(build, MODELS[model], source.filter, alias)
        : (alias: string) => `${alias}.operation_id = ${build.params.shared('operation', source.operationId, 'uuid')}`;
    sql = `SELECT (${connectionSql(build, plan, args, scope)})::text AS j`;
  } catch (error) {
    if (error instanceof NotCompiled) return undefined;
    throw error;
  }
  const [result] = await (ctx.statements ?? ctx.prisma).$queryRawUnsafe<{ j: string }[]>(sql, ...build.params.values);
  const json = JSON.parse(result!.j) as ConnectionJson;
  return planned ? new RawConnection(plan, args, json, { ctx, viewer }) : decodeConnection(plan, args, json, { ctx, viewer });
}

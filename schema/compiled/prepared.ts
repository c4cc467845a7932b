// Nodes of a compiled read (schema/compiled/compile.ts) carry their fields' values already read and
// rendered by PostgreSQL, by response key. The record types' resolvers answer such a node from
// those values, and any other parent through the resolver Pothos built for the field (the Prisma
// path), so one schema serves both. Wrapping the built schema's resolvers keeps the SDL exactly
// what Pothos prints (the compiled path adds no field, type or argument).
import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLObjectType, type GraphQLSchema } from 'graphql';

const PREPARED = Symbol('liaison.prepared');

/** A record node of a compiled read: its row id (the cursor position) and its prepared values. */
export type PreparedNode = { id: string; [PREPARED]: Record<string, unknown> };

export function preparedNode(id: string, values: Record<string, unknown>): PreparedNode {
  return { id, [PREPARED]: values };
}

/** The prepared values of a compiled node by response key, or undefined for any other value. */
function preparedValues(node: unknown): Record<string, unknown> | undefined {
  return (node as Partial<PreparedNode> | null | undefined)?.[PREPARED];
}

/** The record types whose nodes a compiled read prepares. */
export const COMPILED_TYPES = ['ScamDen', 'Suspect', 'InterceptedFund'] as const;

/** Makes every field of the compiled record types answer a prepared node from its values. */
export function servePreparedNodes(schema: GraphQLSchema): GraphQLSchema {
  for (const typeName of COMPILED_TYPES) {
    const type = schema.getType(typeName) as GraphQLObjectType;
    for (const field of Object.values(type.getFields())) {
      const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver;
      field.resolve = (parent, args, ctx, info) => {
        const prepared = preparedValues(parent);
        return prepared ? prepared[info.path.key as string] : resolve(parent, args, ctx, info);
      };
    }
  }
  return schema;
}

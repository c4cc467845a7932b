// Amount limiting before execution (GQL-06, docs/security-tests.md): every `first`/`last` argument in
// the operation, literal, variable or a variable's declared default, must lie within 1–100, and
// never both on one field.
// Checked once per request over the whole document, so no resolver runs on a bad page size.
// This is the one place page sizes are checked; `first` may be omitted (the schema declares it
// optional) and then means 20 (schema/builder.ts, defaultConnectionSize).
import { Kind, type DocumentNode, type FieldNode, type ValueNode, valueFromASTUntyped, visit } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ErrorCode, LiaisonError } from '../../kernel/errors.ts';

export const MAX_PAGE = 100;

function argumentValue(node: ValueNode, variables: Record<string, unknown> | undefined): unknown {
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.VARIABLE) return variables?.[node.name.value];
  if (node.kind === Kind.NULL) return null;
  return Number.NaN;
}

/** The request's variables with each operation's declared defaults filled in, as execution sees them. */
function withDefaults(document: DocumentNode, variables: Record<string, unknown> | undefined): Record<string, unknown> {
  const values: Record<string, unknown> = { ...variables };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const variable of definition.variableDefinitions ?? []) {
      const name = variable.variable.name.value;
      if (values[name] === undefined && variable.defaultValue) values[name] = valueFromASTUntyped(variable.defaultValue);
    }
  }
  return values;
}

export function findPageLimitViolation(document: DocumentNode, rawVariables?: Record<string, unknown>): string | undefined {
  let problem: string | undefined;
  // A default (`$n: Int = 1000`) is a page size like any other.
  const variables = withDefaults(document, rawVariables);
  visit(document, {
    Field(field: FieldNode) {
      const paging = (field.arguments ?? []).filter((a) => a.name.value === 'first' || a.name.value === 'last');
      const given = paging.filter((a) => argumentValue(a.value, variables) != null);
      if (given.length > 1) problem ??= `${field.name.value}: use either first or last, not both`;
      for (const arg of given) {
        const value = argumentValue(arg.value, variables);
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_PAGE) {
          problem ??= `${field.name.value}(${arg.name.value}): must be between 1 and ${MAX_PAGE}`;
        }
      }
    },
  });
  return problem;
}

export function usePageLimits(): Plugin {
  return {
    onExecute({ args }) {
      const problem = findPageLimitViolation(args.document as DocumentNode, args.variableValues as Record<string, unknown>);
      if (problem) {
        throw new LiaisonError(ErrorCode.BAD_USER_INPUT, `Page size out of range — ${problem}.`, {
          issues: [{ code: 'OUT_OF_RANGE', message: problem }],
          status: 400,
        });
      }
    },
  };
}

// Queries executed by graphql-jit: each document is compiled once into plain JavaScript (cached
// by the parsed document, which Yoga's parser cache and the persisted operations reuse) instead
// of being interpreted field by field on every request. The read profile (docs/architecture.md,
// "Read path") measured graphql-js execution as the largest cost left once records are read by
// one compiled SQL statement. Only single-operation query documents are compiled: the plugin's
// cache is keyed by document alone, so a document naming several operations (chosen by
// operationName) or a mutation or subscription goes through graphql-js as before.
import { useGraphQlJit } from '@envelop/graphql-jit';
import { Kind, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../../kernel/logger.ts';

function isSingleQuery(document: DocumentNode): boolean {
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  return operations.length === 1 && operations[0]!.operation === 'query';
}

export function useJit(logger: Logger): Plugin {
  return useGraphQlJit(
    {},
    {
      enableIf: (args) => isSingleQuery(args.document),
      // A document graphql-jit cannot compile is answered with its errors; say so once per document.
      onError: (result) => logger.warn({ errors: result.errors?.map((e) => e.message) }, 'graphql-jit could not compile a document'),
    },
  ) as Plugin;
}

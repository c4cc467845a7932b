// Queries of compiled record lists only are answered without graphql execution
// (schema/compiled/direct.ts); every other document, and any such query the direct writer
// declines, runs through the execute function the plugins before this one chose (graphql-jit for
// single-operation queries). Registered after useJit so that function is the one wrapped.
import type { Plugin } from 'graphql-yoga';
import type { RequestContext } from '../../schema/context.ts';
import { executeDirect, type DirectRequest } from '../../schema/compiled/direct.ts';

export function useDirectReads(): Plugin<RequestContext> {
  return {
    onExecute({ executeFn, setExecuteFn }) {
      setExecuteFn(async (args) => (await executeDirect(args as unknown as DirectRequest)) ?? executeFn(args));
    },
  };
}

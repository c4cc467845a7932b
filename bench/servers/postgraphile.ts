// PostGraphile 4, the peer of the gateway that compiles GraphQL to one SQL statement, serving
// the bench database on 127.0.0.1 over node:http: the `public` schema introspected at start,
// queries only (no mutations, no GraphiQL, no query log), each request run as the role made by
// bench/lib/postgraphile-setup.ts with the fixed viewer's agency id as the setting its
// row-level security reads, so it sees exactly what the gateway shows that viewer.
import '../lib/postgraphile-realm.ts';
import { createServer } from 'node:http';
import { postgraphile } from 'postgraphile';
import { runBenchChild, requiredEnv } from '../lib/child.ts';
import { VIEWER_SETTING } from '../lib/postgraphile-setup.ts';
import { ENV } from '../lib/protocol.ts';
import { benchPoolAndViewer, listenOnLoopbackPort } from '../lib/raw-http.ts';

await runBenchChild(async () => {
  const { pool, viewerId } = await benchPoolAndViewer();
  const middleware = postgraphile(pool, 'public', {
    graphqlRoute: '/graphql',
    graphiql: false,
    disableQueryLog: true,
    disableDefaultMutations: true,
    retryOnInitFail: false,
    enableQueryBatching: false,
    setofFunctionsContainNulls: false,
    pgSettings: { role: requiredEnv(ENV.postgraphileRole), [VIEWER_SETTING]: viewerId },
  });
  return listenOnLoopbackPort(createServer(middleware), async () => {
    await middleware.release();
    await pool.end();
  });
});

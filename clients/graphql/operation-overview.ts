// Example GraphQL client: typed documents from GraphQL Code Generator's client preset
// (./gql/, not committed: generated from the gateway's schema.graphql with `documentMode: 'string'`
// and the `graphql(...)` calls below as documents; see ../codegen.yml). Fetches an operation's
// summary, its dens with their suspects, and one submission, all with one access token. Prints
// one JSON line. Env: LIAISON_URL, LIAISON_ACCESS_TOKEN (from access-token.ts), OPERATION,
// SUBMISSION_ID.
import { graphql } from './gql/index.js';
import type { TypedDocumentString } from './gql/graphql.js';

const OperationSummaryQuery = graphql(`
  query OperationSummary($code: String!) {
    operation(code: $code) {
      code
      name
      summary {
        countries
        scamDens
        densRaided
        suspects
        suspectsArrested
        fundRecords
        fundsInterceptedUsd
      }
    }
  }
`);

const DensWithSuspectsQuery = graphql(`
  query DensWithSuspects($code: String!, $first: Int) {
    operation(code: $code) {
      scamDens(first: $first) {
        totalCount
        edges {
          node {
            sourceRef
            country
            status
            suspects(first: 10) {
              totalCount
              edges {
                node {
                  personKey
                  role
                  status
                }
              }
            }
          }
        }
      }
    }
  }
`);

const SubmissionQuery = graphql(`
  query Submission($id: ID!) {
    submission(id: $id) {
      id
      status
      counts {
        accepted
        rejected
      }
    }
  }
`);

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name}`);
  return value;
}

const token = env('LIAISON_ACCESS_TOKEN');

async function execute<TResult, TVariables>(document: TypedDocumentString<TResult, TVariables>, variables: TVariables): Promise<TResult> {
  const response = await fetch(new URL('/graphql', env('LIAISON_URL')), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: document.toString(), variables }),
  });
  const result = (await response.json()) as { data?: TResult; errors?: { extensions?: { code?: string } }[] };
  if (!result.data || result.errors) throw new Error(`GraphQL ${response.status} ${result.errors?.[0]?.extensions?.code ?? ''}`);
  return result.data;
}

const code = env('OPERATION');
const { operation } = await execute(OperationSummaryQuery, { code });
const dens = await execute(DensWithSuspectsQuery, { code, first: 50 });
const { submission } = await execute(SubmissionQuery, { id: env('SUBMISSION_ID') });

const denEdges = dens.operation?.scamDens.edges ?? [];
// Decimal is a string ("1234.50"): codegen.yml maps the scalar, else this would be `unknown`.
const fundsInterceptedUsd: string | null = operation?.summary.fundsInterceptedUsd ?? null;
console.log(
  JSON.stringify({
    operation: operation?.code ?? null,
    summary: operation?.summary ?? null,
    fundsInterceptedUsd,
    dens: denEdges.length,
    densWithSuspects: denEdges.filter((e) => e.node.suspects.totalCount > 0).map((e) => e.node.sourceRef),
    suspectRoles: denEdges.flatMap((e) => e.node.suspects.edges.map((s) => s.node.role)),
    submission: submission ? { id: submission.id, status: submission.status, accepted: submission.counts.accepted } : null,
  }),
);

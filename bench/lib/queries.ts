// The two GraphQL requests the bench sends, identical for every variant that answers them:
// (a) an operation's summary with every field, (b) the first 50 dens of an operation with up
// to 10 suspects and 10 intercepted funds each. The raw baseline answers (b) to the same body.

export const SUMMARY_QUERY = /* GraphQL */ `
  query BenchSummary($code: String!) {
    operation(code: $code) {
      summary {
        countries scamDens densRaided suspects suspectsArrested suspectsSurrendered suspectsWanted
        traffickingVictims devicesSeized fundRecords fundsByCurrency { currency amount } fundsInterceptedUsd
      }
    }
  }`;

export const DENS_PAGE = 50;
export const NESTED_PAGE = 10;

export const DENS_QUERY = /* GraphQL */ `
  query BenchDens($code: String!) {
    scamDens(first: ${DENS_PAGE}, filter: { operationCode: $code }) {
      edges {
        node {
          id country region denType status raidedOn devicesSeized
          suspects(first: ${NESTED_PAGE}) { edges { node { id personKey role status statusOn } } }
          interceptedFunds(first: ${NESTED_PAGE}) { edges { node { id amount currency amountUsd action } } }
        }
      }
    }
  }`;

export type DensAnswer = {
  data?: {
    scamDens: {
      edges: {
        node: {
          id: string;
          suspects: { edges: { node: { id: string } }[] };
          interceptedFunds: { edges: { node: { id: string } }[] };
        };
      }[];
    };
  };
  errors?: unknown[];
};

export type SummaryAnswer = {
  data?: { operation: { summary: Record<string, unknown> } | null };
  errors?: unknown[];
};

/** A partner's everyday read, for the isolation and soak benchmarks: a page of dens with their suspects, and the operation's summary. */
export const READ_QUERY = /* GraphQL */ `
  query PartnerRead($code: String!) {
    operation(code: $code) { summary { scamDens suspects fundRecords } }
    scamDens(first: 10, filter: { operationCode: $code }) {
      totalCount
      edges { node { id country status suspects(first: 5) { edges { node { id role status } } } } }
    }
  }`;

export function graphqlBody(query: string, operationCode: string): string {
  return JSON.stringify({ query, variables: { code: operationCode } });
}

/**
 * Request (b) in PostGraphile's schema: the same dens, suspects and funds, fields and page
 * sizes, in id order; the operation by its id (PostGraphile's `condition` filters by columns),
 * the nested connections by the foreign key's name.
 */
export const POSTGRAPHILE_DENS_QUERY = /* GraphQL */ `
  query BenchDens($operationId: UUID!) {
    allScamDens(first: ${DENS_PAGE}, orderBy: ID_ASC, condition: { operationId: $operationId }) {
      edges {
        node {
          id country region denType status raidedOn devicesSeized
          suspectsByDenId(first: ${NESTED_PAGE}, orderBy: ID_ASC) { edges { node { id personKey role status statusOn } } }
          interceptedFundsByDenId(first: ${NESTED_PAGE}, orderBy: ID_ASC) { edges { node { id amount currency amountUsd action } } }
        }
      }
    }
  }`;

/** The trivial request: who am I, answered from the token's agency alone. */
export const ME_QUERY = /* GraphQL */ `query { me { agency { code } } }`;

export function postgraphileBody(operationId: string): string {
  return JSON.stringify({ query: POSTGRAPHILE_DENS_QUERY, variables: { operationId } });
}

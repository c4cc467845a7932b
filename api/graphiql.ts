// GraphiQL as a newcomer first sees it: a title, a header block to paste a token into, and
// example operations for analysts, liaison officers and integrators. Off in production.
export const exampleOperations = `# Liaison gateway — paste a token into the Headers tab below:
#   { "Authorization": "Bearer <token>" }
# Mint one with:  npx liaison token --agency ES-PN --key .liaison/demo-keys/ES-PN.private.jwk.json
# Tokens live at most 300 s and can be used once: mint a new one for each request.

# Analysts: the totals of a joint operation
query OperationTotals {
  operation(code: "FIRST-LIGHT-2022") {
    name
    lead { code name }
    participants { code }
    summary {
      countries scamDens densRaided
      suspects suspectsArrested suspectsSurrendered suspectsWanted traffickingVictims
      devicesSeized fundRecords fundsInterceptedUsd
      fundsByCurrency { currency amount }
    }
  }
}

# Analysts: dens with their suspects and intercepted funds
query DensWithSuspects {
  scamDens(first: 10, filter: { operationCode: "FIRST-LIGHT-2022" }) {
    totalCount
    edges {
      node {
        id country region denType status owner { code } sharingLevel
        suspects(first: 10) { totalCount edges { node { personKey role status alsoReportedBy { code } } } }
        interceptedFunds(first: 10) { edges { node { amount currency amountUsd action } } }
      }
    }
  }
}

# Integrators: who am I?
query Me {
  me { agency { code name } subject scopes }
}
`;

export const graphiqlOptions = {
  title: 'Liaison gateway',
  defaultQuery: exampleOperations,
  headers: JSON.stringify({ Authorization: 'Bearer <paste a token minted with `liaison token`>' }, null, 2),
  shouldPersistHeaders: false,
};

// GraphiQL as a newcomer first sees it: a title, a header block to paste a token into, and
// example operations for analysts, liaison officers and integrators (tests/docs checks that
// each one validates against the schema). Off in production. Also what GraphiQL needs of the
// edge: its schema introspection is recognised here, to be answered without spending a token
// (use-partner-auth) and within a depth limit of its own (use-armor).
import { Kind, type DocumentNode } from 'graphql';

/**
 * A document that only asks for the schema: every operation a query whose root fields are all
 * `__schema`, `__type` or `__typename`, besides fragment definitions (which GraphiQL's
 * introspection query uses, and which can only be spread below those fields).
 */
export function isSchemaIntrospection(document: DocumentNode): boolean {
  let operations = 0;
  const ok = document.definitions.every((d) => {
    if (d.kind === Kind.FRAGMENT_DEFINITION) return true;
    if (d.kind !== Kind.OPERATION_DEFINITION || d.operation !== 'query') return false;
    operations += 1;
    return d.selectionSet.selections.every((s) => s.kind === Kind.FIELD && s.name.value.startsWith('__'));
  });
  return ok && operations > 0;
}
export const exampleOperations = `# Liaison gateway — paste a token into the Headers tab below:
#   { "Authorization": "Bearer <token>" }
# Get one with:  npx liaison token --oauth --agency ES-PN --key .liaison/demo-keys/ES-PN.private.jwk.json
# That access token works for any number of runs for 5 minutes. (A token minted without --oauth
# is good for one request only.)

# Analysts: the totals of a joint operation
query OperationTotals {
  operation(code: "FIRST-LIGHT-2022") {
    name
    lead { code name }
    members { agency { code } joinedAt }
    summary {
      countries scamDens densRaided
      suspects suspectsArrested suspectsSurrendered suspectsWanted traffickingVictims
      devicesSeized fundRecords fundsInterceptedUsd
      fundsByCurrency { currency amount }
    }
  }
}

# Analysts: dens with their suspects, and which other agencies reported the same persons
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

# Liaison officers: check a file without storing anything (dryRun), then read the report back
# with submission(id). A dry run's report is not kept: drop dryRun to store the records, and
# use the id it returns. The content is the file as your agency exports it (here liaison-json).
mutation SubmitDryRun {
  submitRecords(input: {
    format: LIAISON_JSON
    operationCode: "FIRST-LIGHT-2022"
    dryRun: true
    content: """
    { "format": "liaison-json", "version": 1, "operation": "FIRST-LIGHT-2022",
      "records": [ { "kind": "scamDen", "ref": "GQL-D-1", "sharingLevel": "GREEN", "country": "KH",
                     "region": "Sihanoukville", "denType": "CALL_CENTRE", "status": "RAIDED",
                     "raidedOn": "2022-06-10", "devicesSeized": 12 } ] }
    """
  }) {
    id status dryRun contentSha256
    counts { received accepted updated rejected }
    issues { line path field code severity ref }
    receipt
  }
}

query ReadSubmission($id: ID! = "paste the id of a stored submission") {
  submission(id: $id) { id status format operation counts { accepted rejected } receipt }
}

# Investigators: does any partner hold a record with this identifier? Hit or no hit, and whose;
# the record itself only where the sharing rules already show it. A purpose is required, every
# identifier counts against your agency's daily quota, and the owner is told who asked and why.
query MatchIdentifier {
  match(input: {
    purpose: "Case 2026/114: tracing a money mule"
    identifiers: [{ type: PASSPORT, value: "C1234567", country: "VN" }]
  }) {
    quotaRemaining
    results { index hit hits { hitRef owner { code } recordType own recordId } }
  }
}

# Liaison officers: operations your agency is invited to. It sees an operation's records and
# totals only once it joins: acceptInvitation(operationCode: "LEAD/CODE") (or declineInvitation).
query MyInvitations {
  invitations { qualifiedCode name lead { code name } invitedAt }
}

# Integrators: who am I, and with which scopes? (Typed clients: see docs/api.md.)
query Me {
  me { agency { code name } subject scopes }
}
`;
export const graphiqlOptions = {
  title: 'Liaison gateway',
  defaultQuery: exampleOperations,
  headers: JSON.stringify({ Authorization: 'Bearer <paste the token of `liaison token --oauth`>' }, null, 2),
  shouldPersistHeaders: false,
};

/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query ConsoleMe {\n    me {\n      agency { code name country }\n      subject\n      scopes\n    }\n  }\n": typeof types.ConsoleMeDocument,
    "\n  query ConsoleOperations {\n    operations(first: 100) {\n      edges { node { code name status lead { code } participants { code } } }\n    }\n  }\n": typeof types.ConsoleOperationsDocument,
    "\n  query ConsoleOperationSummary($code: String!) {\n    operation(code: $code) {\n      code\n      name\n      status\n      lead { code name }\n      participants { code }\n      summary {\n        countries scamDens densRaided suspects suspectsArrested suspectsSurrendered suspectsWanted\n        traffickingVictims devicesSeized fundRecords fundsInterceptedUsd\n        fundsByCurrency { currency amount }\n      }\n    }\n  }\n": typeof types.ConsoleOperationSummaryDocument,
    "\n  query ConsoleDenFacts($filter: ScamDenFilter, $after: String) {\n    scamDens(filter: $filter, first: 100, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      edges { node { id country geohash status raidedOn firstSeenOn } }\n    }\n  }\n": typeof types.ConsoleDenFactsDocument,
    "\n  query ConsoleSuspectFacts($filter: SuspectFilter, $after: String) {\n    suspects(filter: $filter, first: 100, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      edges { node { id status statusOn nationality den { country } } }\n    }\n  }\n": typeof types.ConsoleSuspectFactsDocument,
    "\n  query ConsoleFundFacts($filter: InterceptedFundFilter, $after: String) {\n    interceptedFunds(filter: $filter, first: 100, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      edges { node { id currency action amountUsd } }\n    }\n  }\n": typeof types.ConsoleFundFactsDocument,
    "\n  query ConsoleDens($filter: ScamDenFilter, $first: Int, $after: String, $last: Int, $before: String) {\n    scamDens(filter: $filter, first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      edges {\n        node { id sourceRef country region geohash denType status raidedOn devicesSeized sharingLevel owner { code } }\n      }\n    }\n  }\n": typeof types.ConsoleDensDocument,
    "\n  query ConsoleSuspects($filter: SuspectFilter, $first: Int, $after: String, $last: Int, $before: String) {\n    suspects(filter: $filter, first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      edges {\n        node {\n          id personKey nationality birthYear role status statusOn traffickingVictim sharingLevel\n          owner { code }\n          alsoReportedBy { code }\n        }\n      }\n    }\n  }\n": typeof types.ConsoleSuspectsDocument,
    "\n  query ConsoleFunds($filter: InterceptedFundFilter, $first: Int, $after: String, $last: Int, $before: String) {\n    interceptedFunds(filter: $filter, first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      edges {\n        node { id amount currency amountUsd channel action actionOn accountCountry sharingLevel owner { code } }\n      }\n    }\n  }\n": typeof types.ConsoleFundsDocument,
    "\n  query ConsoleSubmission($id: ID!) {\n    submission(id: $id) {\n      id format operation mode dryRun status receivedAt\n      counts { received accepted updated rejected }\n    }\n  }\n": typeof types.ConsoleSubmissionDocument,
    "\n  query ConsoleMatch($input: MatchInput!) {\n    match(input: $input) {\n      quotaRemaining\n      quotaPerDay\n      results { index hit hits { hitRef owner { code name } recordType own recordId } }\n    }\n  }\n": typeof types.ConsoleMatchDocument,
    "\n  mutation ConsoleRequestDisclosure($hitRef: String!, $justification: String!, $legalBasis: String!) {\n    requestDisclosure(hitRef: $hitRef, justification: $justification, legalBasis: $legalBasis) {\n      id status dueAt\n    }\n  }\n": typeof types.ConsoleRequestDisclosureDocument,
    "\n  query ConsoleDisclosureRequests($direction: DisclosureDirection!, $status: DisclosureStatus) {\n    disclosureRequests(direction: $direction, status: $status) {\n      id status direction recordType recordId justification legalBasis createdAt dueAt decidedAt reason expiresOn\n      requester { code name }\n      owner { code name }\n      record {\n        __typename\n        ... on Suspect { id sourceRef nationality role status }\n        ... on InterceptedFund { id sourceRef amount currency action }\n      }\n    }\n  }\n": typeof types.ConsoleDisclosureRequestsDocument,
    "\n  mutation ConsoleDecideDisclosure($id: ID!, $decision: DisclosureDecision!, $reason: String!, $expiresOn: Date) {\n    decideDisclosure(id: $id, decision: $decision, reason: $reason, expiresOn: $expiresOn) { id status }\n  }\n": typeof types.ConsoleDecideDisclosureDocument,
    "\n  mutation ConsoleRevokeDisclosure($id: ID!) {\n    revokeDisclosure(id: $id) { id status }\n  }\n": typeof types.ConsoleRevokeDisclosureDocument,
    "\n  query ConsoleEvents($after: String) {\n    events(after: $after, first: 100) {\n      pageInfo { hasNextPage endCursor }\n      edges { node { id type occurredAt payload } }\n    }\n  }\n": typeof types.ConsoleEventsDocument,
    "\n  subscription ConsoleEventStream($after: String) {\n    events(after: $after) { id type occurredAt payload }\n  }\n": typeof types.ConsoleEventStreamDocument,
};
const documents: Documents = {
    "\n  query ConsoleMe {\n    me {\n      agency { code name country }\n      subject\n      scopes\n    }\n  }\n": types.ConsoleMeDocument,
    "\n  query ConsoleOperations {\n    operations(first: 100) {\n      edges { node { code name status lead { code } participants { code } } }\n    }\n  }\n": types.ConsoleOperationsDocument,
    "\n  query ConsoleOperationSummary($code: String!) {\n    operation(code: $code) {\n      code\n      name\n      status\n      lead { code name }\n      participants { code }\n      summary {\n        countries scamDens densRaided suspects suspectsArrested suspectsSurrendered suspectsWanted\n        traffickingVictims devicesSeized fundRecords fundsInterceptedUsd\n        fundsByCurrency { currency amount }\n      }\n    }\n  }\n": types.ConsoleOperationSummaryDocument,
    "\n  query ConsoleDenFacts($filter: ScamDenFilter, $after: String) {\n    scamDens(filter: $filter, first: 100, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      edges { node { id country geohash status raidedOn firstSeenOn } }\n    }\n  }\n": types.ConsoleDenFactsDocument,
    "\n  query ConsoleSuspectFacts($filter: SuspectFilter, $after: String) {\n    suspects(filter: $filter, first: 100, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      edges { node { id status statusOn nationality den { country } } }\n    }\n  }\n": types.ConsoleSuspectFactsDocument,
    "\n  query ConsoleFundFacts($filter: InterceptedFundFilter, $after: String) {\n    interceptedFunds(filter: $filter, first: 100, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      edges { node { id currency action amountUsd } }\n    }\n  }\n": types.ConsoleFundFactsDocument,
    "\n  query ConsoleDens($filter: ScamDenFilter, $first: Int, $after: String, $last: Int, $before: String) {\n    scamDens(filter: $filter, first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      edges {\n        node { id sourceRef country region geohash denType status raidedOn devicesSeized sharingLevel owner { code } }\n      }\n    }\n  }\n": types.ConsoleDensDocument,
    "\n  query ConsoleSuspects($filter: SuspectFilter, $first: Int, $after: String, $last: Int, $before: String) {\n    suspects(filter: $filter, first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      edges {\n        node {\n          id personKey nationality birthYear role status statusOn traffickingVictim sharingLevel\n          owner { code }\n          alsoReportedBy { code }\n        }\n      }\n    }\n  }\n": types.ConsoleSuspectsDocument,
    "\n  query ConsoleFunds($filter: InterceptedFundFilter, $first: Int, $after: String, $last: Int, $before: String) {\n    interceptedFunds(filter: $filter, first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      edges {\n        node { id amount currency amountUsd channel action actionOn accountCountry sharingLevel owner { code } }\n      }\n    }\n  }\n": types.ConsoleFundsDocument,
    "\n  query ConsoleSubmission($id: ID!) {\n    submission(id: $id) {\n      id format operation mode dryRun status receivedAt\n      counts { received accepted updated rejected }\n    }\n  }\n": types.ConsoleSubmissionDocument,
    "\n  query ConsoleMatch($input: MatchInput!) {\n    match(input: $input) {\n      quotaRemaining\n      quotaPerDay\n      results { index hit hits { hitRef owner { code name } recordType own recordId } }\n    }\n  }\n": types.ConsoleMatchDocument,
    "\n  mutation ConsoleRequestDisclosure($hitRef: String!, $justification: String!, $legalBasis: String!) {\n    requestDisclosure(hitRef: $hitRef, justification: $justification, legalBasis: $legalBasis) {\n      id status dueAt\n    }\n  }\n": types.ConsoleRequestDisclosureDocument,
    "\n  query ConsoleDisclosureRequests($direction: DisclosureDirection!, $status: DisclosureStatus) {\n    disclosureRequests(direction: $direction, status: $status) {\n      id status direction recordType recordId justification legalBasis createdAt dueAt decidedAt reason expiresOn\n      requester { code name }\n      owner { code name }\n      record {\n        __typename\n        ... on Suspect { id sourceRef nationality role status }\n        ... on InterceptedFund { id sourceRef amount currency action }\n      }\n    }\n  }\n": types.ConsoleDisclosureRequestsDocument,
    "\n  mutation ConsoleDecideDisclosure($id: ID!, $decision: DisclosureDecision!, $reason: String!, $expiresOn: Date) {\n    decideDisclosure(id: $id, decision: $decision, reason: $reason, expiresOn: $expiresOn) { id status }\n  }\n": types.ConsoleDecideDisclosureDocument,
    "\n  mutation ConsoleRevokeDisclosure($id: ID!) {\n    revokeDisclosure(id: $id) { id status }\n  }\n": types.ConsoleRevokeDisclosureDocument,
    "\n  query ConsoleEvents($after: String) {\n    events(after: $after, first: 100) {\n      pageInfo { hasNextPage endCursor }\n      edges { node { id type occurredAt payload } }\n    }\n  }\n": types.ConsoleEventsDocument,
    "\n  subscription ConsoleEventStream($after: String) {\n    events(after: $after) { id type occurredAt payload }\n  }\n": types.ConsoleEventStreamDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleMe {\n    me {\n      agency { code name country }\n      subject\n      scopes\n    }\n  }\n"): typeof import('./graphql').ConsoleMeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleOperations {\n    operations(first: 100) {\n      edges { node { code name status lead { code } participants { code } } }\n    }\n  }\n"): typeof import('./graphql').ConsoleOperationsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleOperationSummary($code: String!) {\n    operation(code: $code) {\n      code\n      name\n      status\n      lead { code name }\n      participants { code }\n      summary {\n        countries scamDens densRaided suspects suspectsArrested suspectsSurrendered suspectsWanted\n        traffickingVictims devicesSeized fundRecords fundsInterceptedUsd\n        fundsByCurrency { currency amount }\n      }\n    }\n  }\n"): typeof import('./graphql').ConsoleOperationSummaryDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleDenFacts($filter: ScamDenFilter, $after: String) {\n    scamDens(filter: $filter, first: 100, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      edges { node { id country geohash status raidedOn firstSeenOn } }\n    }\n  }\n"): typeof import('./graphql').ConsoleDenFactsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleSuspectFacts($filter: SuspectFilter, $after: String) {\n    suspects(filter: $filter, first: 100, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      edges { node { id status statusOn nationality den { country } } }\n    }\n  }\n"): typeof import('./graphql').ConsoleSuspectFactsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleFundFacts($filter: InterceptedFundFilter, $after: String) {\n    interceptedFunds(filter: $filter, first: 100, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      edges { node { id currency action amountUsd } }\n    }\n  }\n"): typeof import('./graphql').ConsoleFundFactsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleDens($filter: ScamDenFilter, $first: Int, $after: String, $last: Int, $before: String) {\n    scamDens(filter: $filter, first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      edges {\n        node { id sourceRef country region geohash denType status raidedOn devicesSeized sharingLevel owner { code } }\n      }\n    }\n  }\n"): typeof import('./graphql').ConsoleDensDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleSuspects($filter: SuspectFilter, $first: Int, $after: String, $last: Int, $before: String) {\n    suspects(filter: $filter, first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      edges {\n        node {\n          id personKey nationality birthYear role status statusOn traffickingVictim sharingLevel\n          owner { code }\n          alsoReportedBy { code }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').ConsoleSuspectsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleFunds($filter: InterceptedFundFilter, $first: Int, $after: String, $last: Int, $before: String) {\n    interceptedFunds(filter: $filter, first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      edges {\n        node { id amount currency amountUsd channel action actionOn accountCountry sharingLevel owner { code } }\n      }\n    }\n  }\n"): typeof import('./graphql').ConsoleFundsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleSubmission($id: ID!) {\n    submission(id: $id) {\n      id format operation mode dryRun status receivedAt\n      counts { received accepted updated rejected }\n    }\n  }\n"): typeof import('./graphql').ConsoleSubmissionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleMatch($input: MatchInput!) {\n    match(input: $input) {\n      quotaRemaining\n      quotaPerDay\n      results { index hit hits { hitRef owner { code name } recordType own recordId } }\n    }\n  }\n"): typeof import('./graphql').ConsoleMatchDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleRequestDisclosure($hitRef: String!, $justification: String!, $legalBasis: String!) {\n    requestDisclosure(hitRef: $hitRef, justification: $justification, legalBasis: $legalBasis) {\n      id status dueAt\n    }\n  }\n"): typeof import('./graphql').ConsoleRequestDisclosureDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleDisclosureRequests($direction: DisclosureDirection!, $status: DisclosureStatus) {\n    disclosureRequests(direction: $direction, status: $status) {\n      id status direction recordType recordId justification legalBasis createdAt dueAt decidedAt reason expiresOn\n      requester { code name }\n      owner { code name }\n      record {\n        __typename\n        ... on Suspect { id sourceRef nationality role status }\n        ... on InterceptedFund { id sourceRef amount currency action }\n      }\n    }\n  }\n"): typeof import('./graphql').ConsoleDisclosureRequestsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleDecideDisclosure($id: ID!, $decision: DisclosureDecision!, $reason: String!, $expiresOn: Date) {\n    decideDisclosure(id: $id, decision: $decision, reason: $reason, expiresOn: $expiresOn) { id status }\n  }\n"): typeof import('./graphql').ConsoleDecideDisclosureDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleRevokeDisclosure($id: ID!) {\n    revokeDisclosure(id: $id) { id status }\n  }\n"): typeof import('./graphql').ConsoleRevokeDisclosureDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleEvents($after: String) {\n    events(after: $after, first: 100) {\n      pageInfo { hasNextPage endCursor }\n      edges { node { id type occurredAt payload } }\n    }\n  }\n"): typeof import('./graphql').ConsoleEventsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ConsoleEventStream($after: String) {\n    events(after: $after) { id type occurredAt payload }\n  }\n"): typeof import('./graphql').ConsoleEventStreamDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

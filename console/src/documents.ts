// Every GraphQL operation the console sends, as typed documents: `npm run console:codegen`
// turns these into src/gql/ (result and variable types from schema/schema.graphql).
import { graphql } from './gql/index.ts';

export const MeQuery = graphql(`
  query ConsoleMe {
    me {
      agency { code name country }
      subject
      scopes
    }
  }
`);

export const OperationsQuery = graphql(`
  query ConsoleOperations {
    operations(first: 100) {
      edges { node { code name status lead { code } participants { code } } }
    }
  }
`);

export const OperationSummaryQuery = graphql(`
  query ConsoleOperationSummary($code: String!) {
    operation(code: $code) {
      code
      name
      status
      lead { code name }
      participants { code }
      summary {
        countries scamDens densRaided suspects suspectsArrested suspectsSurrendered suspectsWanted
        traffickingVictims devicesSeized fundRecords fundsInterceptedUsd
        fundsByCurrency { currency amount }
      }
    }
  }
`);

export const DenFactsQuery = graphql(`
  query ConsoleDenFacts($filter: ScamDenFilter, $after: String) {
    scamDens(filter: $filter, first: 100, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { id country geohash status raidedOn firstSeenOn } }
    }
  }
`);

export const SuspectFactsQuery = graphql(`
  query ConsoleSuspectFacts($filter: SuspectFilter, $after: String) {
    suspects(filter: $filter, first: 100, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { id status statusOn nationality den { country } } }
    }
  }
`);

export const FundFactsQuery = graphql(`
  query ConsoleFundFacts($filter: InterceptedFundFilter, $after: String) {
    interceptedFunds(filter: $filter, first: 100, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { id currency action amountUsd } }
    }
  }
`);

export const DensPageQuery = graphql(`
  query ConsoleDens($filter: ScamDenFilter, $first: Int, $after: String, $last: Int, $before: String) {
    scamDens(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges {
        node { id sourceRef country region geohash denType status raidedOn devicesSeized sharingLevel owner { code } }
      }
    }
  }
`);

export const SuspectsPageQuery = graphql(`
  query ConsoleSuspects($filter: SuspectFilter, $first: Int, $after: String, $last: Int, $before: String) {
    suspects(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges {
        node {
          id personKey nationality birthYear role status statusOn traffickingVictim sharingLevel
          owner { code }
          alsoReportedBy { code }
        }
      }
    }
  }
`);

export const FundsPageQuery = graphql(`
  query ConsoleFunds($filter: InterceptedFundFilter, $first: Int, $after: String, $last: Int, $before: String) {
    interceptedFunds(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges {
        node { id amount currency amountUsd channel action actionOn accountCountry sharingLevel owner { code } }
      }
    }
  }
`);

export const SubmissionQuery = graphql(`
  query ConsoleSubmission($id: ID!) {
    submission(id: $id) {
      id format operation mode dryRun status receivedAt
      counts { received accepted updated rejected }
    }
  }
`);

export const MatchQuery = graphql(`
  query ConsoleMatch($input: MatchInput!) {
    match(input: $input) {
      quotaRemaining
      quotaPerDay
      results { index hit hits { hitRef owner { code name } recordType own recordId } }
    }
  }
`);

export const RequestDisclosureMutation = graphql(`
  mutation ConsoleRequestDisclosure($hitRef: String!, $justification: String!, $legalBasis: String!) {
    requestDisclosure(hitRef: $hitRef, justification: $justification, legalBasis: $legalBasis) {
      id status dueAt
    }
  }
`);

export const DisclosureRequestsQuery = graphql(`
  query ConsoleDisclosureRequests($direction: DisclosureDirection!, $status: DisclosureStatus) {
    disclosureRequests(direction: $direction, status: $status) {
      id status direction recordType recordId justification legalBasis createdAt dueAt decidedAt reason expiresOn
      requester { code name }
      owner { code name }
      record {
        __typename
        ... on Suspect { id sourceRef nationality role status }
        ... on InterceptedFund { id sourceRef amount currency action }
      }
    }
  }
`);

export const DecideDisclosureMutation = graphql(`
  mutation ConsoleDecideDisclosure($id: ID!, $decision: DisclosureDecision!, $reason: String!, $expiresOn: Date) {
    decideDisclosure(id: $id, decision: $decision, reason: $reason, expiresOn: $expiresOn) { id status }
  }
`);

export const RevokeDisclosureMutation = graphql(`
  mutation ConsoleRevokeDisclosure($id: ID!) {
    revokeDisclosure(id: $id) { id status }
  }
`);

export const EventsPageQuery = graphql(`
  query ConsoleEvents($after: String) {
    events(after: $after, first: 100) {
      pageInfo { hasNextPage endCursor }
      edges { node { id type occurredAt payload } }
    }
  }
`);

export const EventsSubscription = graphql(`
  subscription ConsoleEventStream($after: String) {
    events(after: $after) { id type occurredAt payload }
  }
`);

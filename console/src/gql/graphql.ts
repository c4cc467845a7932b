/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type DenStatus =
  | 'ACTIVE'
  | 'DISMANTLED'
  | 'RAIDED'
  | 'SUSPECTED';

export type DenType =
  | 'BRUSHING_TASK'
  | 'CALL_CENTRE'
  | 'IMPERSONATION'
  | 'INVESTMENT_ROMANCE'
  | 'LOAN'
  | 'MONEY_LAUNDERING'
  | 'OTHER'
  | 'SEXTORTION';

export type DisclosureDecision =
  | 'APPROVE'
  | 'DENY';

/** INCOMING: requests for your agency's records (you decide); OUTGOING: requests your agency made. */
export type DisclosureDirection =
  | 'INCOMING'
  | 'OUTGOING';

/** PENDING: waiting for the owner; OVERDUE: still waiting past its due time; APPROVED: the requester may read the record; DENIED; REVOKED: the owner ended the grant; EXPIRED: the grant ran out. */
export type DisclosureStatus =
  | 'APPROVED'
  | 'DENIED'
  | 'EXPIRED'
  | 'OVERDUE'
  | 'PENDING'
  | 'REVOKED';

/** What happened; docs/events.md lists the payload of each type. */
export type EventType =
  | 'DISCLOSURE_DECIDED'
  | 'DISCLOSURE_OVERDUE'
  | 'DISCLOSURE_REQUESTED'
  | 'LINKED_BY_SUBMISSION'
  | 'MATCH_HIT'
  | 'PARTICIPANT_JOINED'
  | 'RECORD_RETRACTED'
  | 'WATCH_HIT';

export type FundAction =
  | 'FROZEN'
  | 'RETURNED'
  | 'SEIZED'
  | 'STOP_PAYMENT';

export type FundChannel =
  | 'BANK_TRANSFER'
  | 'CASH'
  | 'CRYPTO'
  | 'OTHER'
  | 'SCORE_RUNNING'
  | 'THIRD_PARTY_PAYMENT'
  | 'TRADE_HEDGING';

export type InterceptedFundFilter = {
  channel?: FundChannel | null | undefined;
  /** Country of the account, ISO 3166-1 alpha-2. */
  country?: string | null | undefined;
  currency?: string | null | undefined;
  /** Code of the joint operation: CODE, or LEAD/CODE for one lead’s. */
  operationCode?: string | null | undefined;
  /** Agency code of the owner. */
  owner?: string | null | undefined;
  sharingLevel?: SharingLevel | null | undefined;
  /** The state the funds are in: the action taken on them. */
  status?: FundAction | null | undefined;
};

/** One identifier from a case. Its value is normalized and hashed in memory, never stored, logged or returned. */
export type MatchIdentifierInput = {
  /** NAME_DOB only: the birth date as YYYY-MM-DD. */
  birthDate?: string | null | undefined;
  /** Issuing country of a document, or the country of a phone or account written without one (ISO 3166-1 alpha-2). */
  country?: string | null | undefined;
  /** CRYPTO_WALLET only: the currency (USDT, BTC, ETH) when the value does not name it. */
  ticker?: string | null | undefined;
  type: MatchIdentifierType;
  /** The identifier as the case has it (a passport number, a phone, an IBAN, a wallet, a full name…). */
  value: string;
};

/** What an identifier is. IMEI is a device identifier; NAME_DOB is a full name with a birth date. */
export type MatchIdentifierType =
  | 'BANK_ACCOUNT'
  | 'CRYPTO_WALLET'
  | 'EMAIL'
  | 'IMEI'
  | 'MESSENGER'
  | 'NAME_DOB'
  | 'NATIONAL_ID'
  | 'PASSPORT'
  | 'PHONE';

export type MatchInput = {
  /** Your case reference, if any; the owners of records hit read it. */
  caseRef?: string | null | undefined;
  /** 1 to 100 identifiers. */
  identifiers: Array<MatchIdentifierInput>;
  /** Why you ask (at most 500 characters); the owners of records hit read it. */
  purpose: string;
};

export type OperationStatus =
  | 'ACTIVE'
  | 'CLOSED'
  | 'PLANNED';

/** A partner file format, one per adapter of the gateway. Each value names its REST `format` parameter in its description (ES_PN_CSV is `es-pn-csv`). */
export type PartnerFormat =
  /** `cn-mps-json`: Chinese MPS export: 窝点, 嫌疑人 and 涉案资金 arrays with Chinese keys and values. */
  | 'CN_MPS_JSON'
  /** `es-pn-csv`: Spanish national police CSV: one row per den (CENTRO), suspect (SOSPECHOSO) or fund (FONDOS). */
  | 'ES_PN_CSV'
  /** `liaison-json`: Liaison canonical JSON: records with the shared field names and enum values. */
  | 'LIAISON_JSON'
  /** `stix-2.1`: STIX 2.1 bundle: scam-den infrastructure, criminal threat actors and x-liaison-intercepted-fund objects. */
  | 'STIX_2_1'
  /** `umf-xml`: UMF XML message: Location, Person and MonetaryValue elements with TLP markings. */
  | 'UMF_XML';

/** The kind of shared record a hit points to. */
export type RecordType =
  | 'INTERCEPTED_FUND'
  | 'SCAM_DEN'
  | 'SUSPECT';

export type ScamDenFilter = {
  /** ISO 3166-1 alpha-2. */
  country?: string | null | undefined;
  denType?: DenType | null | undefined;
  /** Code of the joint operation: CODE, or LEAD/CODE for one lead’s. */
  operationCode?: string | null | undefined;
  /** Agency code of the owner. */
  owner?: string | null | undefined;
  sharingLevel?: SharingLevel | null | undefined;
  status?: DenStatus | null | undefined;
};

export type SharingLevel =
  | 'AMBER'
  | 'CLEAR'
  | 'GREEN'
  | 'RED';

export type SubmissionMode =
  | 'ATOMIC'
  | 'PARTIAL';

export type SubmissionStatus =
  | 'ACCEPTED'
  | 'FAILED'
  | 'PROCESSING'
  | 'REJECTED';

export type SuspectFilter = {
  /** Nationality, ISO 3166-1 alpha-2. */
  country?: string | null | undefined;
  /** Code of the joint operation: CODE, or LEAD/CODE for one lead’s. */
  operationCode?: string | null | undefined;
  /** Agency code of the owner. */
  owner?: string | null | undefined;
  /** Every visible report of one person by one owner: a personKey as shown to you. */
  personKey?: string | null | undefined;
  role?: SuspectRole | null | undefined;
  sharingLevel?: SharingLevel | null | undefined;
  status?: SuspectStatus | null | undefined;
  traffickingVictim?: boolean | null | undefined;
};

export type SuspectRole =
  | 'CORE_MEMBER'
  | 'FACILITATOR'
  | 'MEMBER'
  | 'MONEY_MULE'
  | 'ORGANIZER'
  | 'RECRUITER'
  | 'UNKNOWN';

export type SuspectStatus =
  | 'ARRESTED'
  | 'CHARGED'
  | 'CONVICTED'
  | 'RELEASED'
  | 'REPATRIATED'
  | 'SURRENDERED'
  | 'WANTED';

export type ConsoleMeQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleMeQuery = { me: { subject: string, scopes: Array<string>, agency: { code: string, name: string, country: string } } };

export type ConsoleOperationsQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleOperationsQuery = { operations: { edges: Array<{ node: { code: string, name: string, status: OperationStatus, lead: { code: string }, participants: Array<{ code: string }> } }> } };

export type ConsoleOperationSummaryQueryVariables = Exact<{
  code: string;
}>;


export type ConsoleOperationSummaryQuery = { operation: { code: string, name: string, status: OperationStatus, lead: { code: string, name: string }, participants: Array<{ code: string }>, summary: { countries: number, scamDens: number, densRaided: number, suspects: number, suspectsArrested: number, suspectsSurrendered: number, suspectsWanted: number, traffickingVictims: number, devicesSeized: number, fundRecords: number, fundsInterceptedUsd: string, fundsByCurrency: Array<{ currency: string, amount: string }> } } | null };

export type ConsoleDenFactsQueryVariables = Exact<{
  filter?: ScamDenFilter | null | undefined;
  after?: string | null | undefined;
}>;


export type ConsoleDenFactsQuery = { scamDens: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, country: string, geohash: string | null, status: DenStatus, raidedOn: string | null, firstSeenOn: string | null } }> } };

export type ConsoleSuspectFactsQueryVariables = Exact<{
  filter?: SuspectFilter | null | undefined;
  after?: string | null | undefined;
}>;


export type ConsoleSuspectFactsQuery = { suspects: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, status: SuspectStatus, statusOn: string | null, nationality: string | null, den: { country: string } | null } }> } };

export type ConsoleFundFactsQueryVariables = Exact<{
  filter?: InterceptedFundFilter | null | undefined;
  after?: string | null | undefined;
}>;


export type ConsoleFundFactsQuery = { interceptedFunds: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, currency: string, action: FundAction, amountUsd: string | null } }> } };

export type ConsoleDensQueryVariables = Exact<{
  filter?: ScamDenFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}>;


export type ConsoleDensQuery = { scamDens: { totalCount: number, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null }, edges: Array<{ node: { id: string, sourceRef: string, country: string, region: string | null, geohash: string | null, denType: DenType, status: DenStatus, raidedOn: string | null, devicesSeized: number | null, sharingLevel: SharingLevel, owner: { code: string } } }> } };

export type ConsoleSuspectsQueryVariables = Exact<{
  filter?: SuspectFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}>;


export type ConsoleSuspectsQuery = { suspects: { totalCount: number, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null }, edges: Array<{ node: { id: string, personKey: string, nationality: string | null, birthYear: number | null, role: SuspectRole, status: SuspectStatus, statusOn: string | null, traffickingVictim: boolean, sharingLevel: SharingLevel, owner: { code: string }, alsoReportedBy: Array<{ code: string }> } }> } };

export type ConsoleFundsQueryVariables = Exact<{
  filter?: InterceptedFundFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}>;


export type ConsoleFundsQuery = { interceptedFunds: { totalCount: number, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null }, edges: Array<{ node: { id: string, amount: string, currency: string, amountUsd: string | null, channel: FundChannel, action: FundAction, actionOn: string | null, accountCountry: string | null, sharingLevel: SharingLevel, owner: { code: string } } }> } };

export type ConsoleSubmissionQueryVariables = Exact<{
  id: string | number;
}>;


export type ConsoleSubmissionQuery = { submission: { id: string, format: PartnerFormat, operation: string, mode: SubmissionMode, dryRun: boolean, status: SubmissionStatus, receivedAt: string, counts: { received: number, accepted: number, updated: number, rejected: number } } | null };

export type ConsoleMatchQueryVariables = Exact<{
  input: MatchInput;
}>;


export type ConsoleMatchQuery = { match: { quotaRemaining: number, quotaPerDay: number, results: Array<{ index: number, hit: boolean, hits: Array<{ hitRef: string, recordType: RecordType, own: boolean, recordId: string | null, owner: { code: string, name: string } }> }> } };

export type ConsoleRequestDisclosureMutationVariables = Exact<{
  hitRef: string;
  justification: string;
  legalBasis: string;
}>;


export type ConsoleRequestDisclosureMutation = { requestDisclosure: { id: string, status: DisclosureStatus, dueAt: string } };

export type ConsoleDisclosureRequestsQueryVariables = Exact<{
  direction: DisclosureDirection;
  status?: DisclosureStatus | null | undefined;
}>;


export type ConsoleDisclosureRequestsQuery = { disclosureRequests: Array<{ id: string, status: DisclosureStatus, direction: DisclosureDirection, recordType: RecordType, recordId: string | null, justification: string, legalBasis: string, createdAt: string, dueAt: string, decidedAt: string | null, reason: string | null, expiresOn: string | null, requester: { code: string, name: string }, owner: { code: string, name: string }, record:
      | { __typename: 'InterceptedFund', id: string, sourceRef: string, amount: string, currency: string, action: FundAction }
      | { __typename: 'Suspect', id: string, sourceRef: string, nationality: string | null, role: SuspectRole, status: SuspectStatus }
     | null }> };

export type ConsoleDecideDisclosureMutationVariables = Exact<{
  id: string | number;
  decision: DisclosureDecision;
  reason: string;
  expiresOn?: string | null | undefined;
}>;


export type ConsoleDecideDisclosureMutation = { decideDisclosure: { id: string, status: DisclosureStatus } };

export type ConsoleRevokeDisclosureMutationVariables = Exact<{
  id: string | number;
}>;


export type ConsoleRevokeDisclosureMutation = { revokeDisclosure: { id: string, status: DisclosureStatus } };

export type ConsoleEventsQueryVariables = Exact<{
  after?: string | null | undefined;
}>;


export type ConsoleEventsQuery = { events: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, type: EventType, occurredAt: string, payload: unknown } }> } };

export type ConsoleEventStreamSubscriptionVariables = Exact<{
  after?: string | null | undefined;
}>;


export type ConsoleEventStreamSubscription = { events: { id: string, type: EventType, occurredAt: string, payload: unknown } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const ConsoleMeDocument = new TypedDocumentString(`
    query ConsoleMe {
  me {
    agency {
      code
      name
      country
    }
    subject
    scopes
  }
}
    `) as unknown as TypedDocumentString<ConsoleMeQuery, ConsoleMeQueryVariables>;
export const ConsoleOperationsDocument = new TypedDocumentString(`
    query ConsoleOperations {
  operations(first: 100) {
    edges {
      node {
        code
        name
        status
        lead {
          code
        }
        participants {
          code
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleOperationsQuery, ConsoleOperationsQueryVariables>;
export const ConsoleOperationSummaryDocument = new TypedDocumentString(`
    query ConsoleOperationSummary($code: String!) {
  operation(code: $code) {
    code
    name
    status
    lead {
      code
      name
    }
    participants {
      code
    }
    summary {
      countries
      scamDens
      densRaided
      suspects
      suspectsArrested
      suspectsSurrendered
      suspectsWanted
      traffickingVictims
      devicesSeized
      fundRecords
      fundsInterceptedUsd
      fundsByCurrency {
        currency
        amount
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleOperationSummaryQuery, ConsoleOperationSummaryQueryVariables>;
export const ConsoleDenFactsDocument = new TypedDocumentString(`
    query ConsoleDenFacts($filter: ScamDenFilter, $after: String) {
  scamDens(filter: $filter, first: 100, after: $after) {
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        id
        country
        geohash
        status
        raidedOn
        firstSeenOn
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleDenFactsQuery, ConsoleDenFactsQueryVariables>;
export const ConsoleSuspectFactsDocument = new TypedDocumentString(`
    query ConsoleSuspectFacts($filter: SuspectFilter, $after: String) {
  suspects(filter: $filter, first: 100, after: $after) {
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        id
        status
        statusOn
        nationality
        den {
          country
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleSuspectFactsQuery, ConsoleSuspectFactsQueryVariables>;
export const ConsoleFundFactsDocument = new TypedDocumentString(`
    query ConsoleFundFacts($filter: InterceptedFundFilter, $after: String) {
  interceptedFunds(filter: $filter, first: 100, after: $after) {
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        id
        currency
        action
        amountUsd
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleFundFactsQuery, ConsoleFundFactsQueryVariables>;
export const ConsoleDensDocument = new TypedDocumentString(`
    query ConsoleDens($filter: ScamDenFilter, $first: Int, $after: String, $last: Int, $before: String) {
  scamDens(
    filter: $filter
    first: $first
    after: $after
    last: $last
    before: $before
  ) {
    totalCount
    pageInfo {
      hasNextPage
      hasPreviousPage
      startCursor
      endCursor
    }
    edges {
      node {
        id
        sourceRef
        country
        region
        geohash
        denType
        status
        raidedOn
        devicesSeized
        sharingLevel
        owner {
          code
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleDensQuery, ConsoleDensQueryVariables>;
export const ConsoleSuspectsDocument = new TypedDocumentString(`
    query ConsoleSuspects($filter: SuspectFilter, $first: Int, $after: String, $last: Int, $before: String) {
  suspects(
    filter: $filter
    first: $first
    after: $after
    last: $last
    before: $before
  ) {
    totalCount
    pageInfo {
      hasNextPage
      hasPreviousPage
      startCursor
      endCursor
    }
    edges {
      node {
        id
        personKey
        nationality
        birthYear
        role
        status
        statusOn
        traffickingVictim
        sharingLevel
        owner {
          code
        }
        alsoReportedBy {
          code
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleSuspectsQuery, ConsoleSuspectsQueryVariables>;
export const ConsoleFundsDocument = new TypedDocumentString(`
    query ConsoleFunds($filter: InterceptedFundFilter, $first: Int, $after: String, $last: Int, $before: String) {
  interceptedFunds(
    filter: $filter
    first: $first
    after: $after
    last: $last
    before: $before
  ) {
    totalCount
    pageInfo {
      hasNextPage
      hasPreviousPage
      startCursor
      endCursor
    }
    edges {
      node {
        id
        amount
        currency
        amountUsd
        channel
        action
        actionOn
        accountCountry
        sharingLevel
        owner {
          code
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleFundsQuery, ConsoleFundsQueryVariables>;
export const ConsoleSubmissionDocument = new TypedDocumentString(`
    query ConsoleSubmission($id: ID!) {
  submission(id: $id) {
    id
    format
    operation
    mode
    dryRun
    status
    receivedAt
    counts {
      received
      accepted
      updated
      rejected
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleSubmissionQuery, ConsoleSubmissionQueryVariables>;
export const ConsoleMatchDocument = new TypedDocumentString(`
    query ConsoleMatch($input: MatchInput!) {
  match(input: $input) {
    quotaRemaining
    quotaPerDay
    results {
      index
      hit
      hits {
        hitRef
        owner {
          code
          name
        }
        recordType
        own
        recordId
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleMatchQuery, ConsoleMatchQueryVariables>;
export const ConsoleRequestDisclosureDocument = new TypedDocumentString(`
    mutation ConsoleRequestDisclosure($hitRef: String!, $justification: String!, $legalBasis: String!) {
  requestDisclosure(
    hitRef: $hitRef
    justification: $justification
    legalBasis: $legalBasis
  ) {
    id
    status
    dueAt
  }
}
    `) as unknown as TypedDocumentString<ConsoleRequestDisclosureMutation, ConsoleRequestDisclosureMutationVariables>;
export const ConsoleDisclosureRequestsDocument = new TypedDocumentString(`
    query ConsoleDisclosureRequests($direction: DisclosureDirection!, $status: DisclosureStatus) {
  disclosureRequests(direction: $direction, status: $status) {
    id
    status
    direction
    recordType
    recordId
    justification
    legalBasis
    createdAt
    dueAt
    decidedAt
    reason
    expiresOn
    requester {
      code
      name
    }
    owner {
      code
      name
    }
    record {
      __typename
      ... on Suspect {
        id
        sourceRef
        nationality
        role
        status
      }
      ... on InterceptedFund {
        id
        sourceRef
        amount
        currency
        action
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleDisclosureRequestsQuery, ConsoleDisclosureRequestsQueryVariables>;
export const ConsoleDecideDisclosureDocument = new TypedDocumentString(`
    mutation ConsoleDecideDisclosure($id: ID!, $decision: DisclosureDecision!, $reason: String!, $expiresOn: Date) {
  decideDisclosure(
    id: $id
    decision: $decision
    reason: $reason
    expiresOn: $expiresOn
  ) {
    id
    status
  }
}
    `) as unknown as TypedDocumentString<ConsoleDecideDisclosureMutation, ConsoleDecideDisclosureMutationVariables>;
export const ConsoleRevokeDisclosureDocument = new TypedDocumentString(`
    mutation ConsoleRevokeDisclosure($id: ID!) {
  revokeDisclosure(id: $id) {
    id
    status
  }
}
    `) as unknown as TypedDocumentString<ConsoleRevokeDisclosureMutation, ConsoleRevokeDisclosureMutationVariables>;
export const ConsoleEventsDocument = new TypedDocumentString(`
    query ConsoleEvents($after: String) {
  events(after: $after, first: 100) {
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        id
        type
        occurredAt
        payload
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleEventsQuery, ConsoleEventsQueryVariables>;
export const ConsoleEventStreamDocument = new TypedDocumentString(`
    subscription ConsoleEventStream($after: String) {
  events(after: $after) {
    id
    type
    occurredAt
    payload
  }
}
    `) as unknown as TypedDocumentString<ConsoleEventStreamSubscription, ConsoleEventStreamSubscriptionVariables>;
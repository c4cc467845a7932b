// Checks, before any load, that a variant answers correctly: one request on loopback, no
// GraphQL errors, the expected number of records, and for (b) the same den ids, suspects and
// funds as the raw baseline (the whole `data` is compared, so shape and scalar formats too).
// Returns the exact body length, which every measured response must then have.
import { isDeepStrictEqual } from 'node:util';
import { formatDecimal } from '../../schema/scalars.ts';
import { DENS_PAGE, type DensAnswer, type SummaryAnswer } from './queries.ts';
import { globalId } from './sharing-sql.ts';

export type Answer = { status: number; text: string; length: number };

export async function post(url: string, body: string, token?: string): Promise<Answer> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  return { status: response.status, text, length: Buffer.byteLength(text) };
}

export type DensFacts = { dens: number; suspects: number; funds: number; denIds: string[]; data: unknown };

export function checkDensAnswer(name: string, answer: Answer, baseline?: DensFacts): DensFacts {
  const parsed = JSON.parse(answer.text) as DensAnswer;
  if (answer.status !== 200 || parsed.errors || !parsed.data) {
    throw new Error(`${name}: (b) answered ${answer.status} ${answer.text.slice(0, 300)}`);
  }
  const edges = parsed.data.scamDens.edges;
  const facts: DensFacts = {
    dens: edges.length,
    suspects: edges.reduce((n, e) => n + e.node.suspects.edges.length, 0),
    funds: edges.reduce((n, e) => n + e.node.interceptedFunds.edges.length, 0),
    denIds: edges.map((e) => e.node.id),
    data: parsed.data,
  };
  if (facts.dens !== DENS_PAGE) throw new Error(`${name}: (b) returned ${facts.dens} dens, expected ${DENS_PAGE}`);
  if (baseline) {
    if (!isDeepStrictEqual(facts.denIds, baseline.denIds)) throw new Error(`${name}: (b) den ids differ from the raw baseline`);
    if (facts.suspects !== baseline.suspects || facts.funds !== baseline.funds) {
      throw new Error(`${name}: (b) ${facts.suspects} suspects/${facts.funds} funds, baseline ${baseline.suspects}/${baseline.funds}`);
    }
    if (!isDeepStrictEqual(keysAsShape(facts.data), keysAsShape(baseline.data))) throw new Error(`${name}: (b) data differs from the raw baseline`);
  }
  return facts;
}

/**
 * The answer with every suspect's personKey reduced to its shape: the gateway shows a key sealed
 * for the viewer and the record's owner (schema/exposed-keys.ts, PRV-08), the raw baselines and
 * PostGraphile the stored key. So keys are compared by presence (a string where the baseline has
 * one, null where it has none), every other field by value. The sealing is work the gateway does
 * and its peers do not; the report says so.
 */
function keysAsShape(data: unknown): unknown {
  const dens = (data as DensAnswer['data'])?.scamDens.edges ?? [];
  return dens.map(({ node }) => ({
    ...node,
    suspects: {
      edges: node.suspects.edges.map((e) => {
        const suspect = e.node as Record<string, unknown>;
        return { node: { ...suspect, personKey: typeof suspect.personKey === 'string' ? 'a key' : suspect.personKey } };
      }),
    },
  }));
}

export function checkSummaryAnswer(name: string, answer: Answer, expected: { dens: number; funds: number }): Record<string, unknown> {
  const parsed = JSON.parse(answer.text) as SummaryAnswer;
  const summary = parsed.data?.operation?.summary;
  if (answer.status !== 200 || parsed.errors || !summary) {
    throw new Error(`${name}: (a) answered ${answer.status} ${answer.text.slice(0, 300)}`);
  }
  if (summary.scamDens !== expected.dens || summary.fundRecords !== expected.funds) {
    throw new Error(`${name}: (a) summary counts ${summary.scamDens} dens/${summary.fundRecords} funds, expected ${expected.dens}/${expected.funds}`);
  }
  return summary;
}

type PostgraphileEdges<T> = { edges: { node: T }[] };
type PostgraphileDen = Record<string, unknown> & {
  id: string;
  suspectsByDenId: PostgraphileEdges<Record<string, unknown> & { id: string }>;
  interceptedFundsByDenId: PostgraphileEdges<Record<string, unknown> & { id: string; amount: string; amountUsd: string | null }>;
};

/**
 * PostGraphile's answer to its form of (b), rewritten to the gateway's shape and scalar formats
 * (Relay ids of `Type:uuid`, decimals as formatDecimal writes them, the connections' names) so
 * that checkDensAnswer compares its data with the raw baseline's, field by field.
 */
export function postgraphileAsGateway(answer: Answer): Answer {
  const parsed = JSON.parse(answer.text) as { data?: { allScamDens: PostgraphileEdges<PostgraphileDen> }; errors?: unknown[] };
  if (answer.status !== 200 || parsed.errors || !parsed.data) return answer;
  const edges = parsed.data.allScamDens.edges.map(({ node: { suspectsByDenId, interceptedFundsByDenId, ...den } }) => ({
    node: {
      ...den,
      id: globalId('ScamDen', den.id),
      suspects: { edges: suspectsByDenId.edges.map(({ node }) => ({ node: { ...node, id: globalId('Suspect', node.id) } })) },
      interceptedFunds: {
        edges: interceptedFundsByDenId.edges.map(({ node }) => ({
          node: {
            ...node,
            id: globalId('InterceptedFund', node.id),
            amount: formatDecimal(node.amount),
            amountUsd: node.amountUsd === null ? null : formatDecimal(node.amountUsd),
          },
        })),
      },
    },
  }));
  const text = JSON.stringify({ data: { scamDens: { edges } } });
  return { status: answer.status, text, length: Buffer.byteLength(text) };
}

/** The trivial request's answer: 200, no errors, the viewer's agency code. */
export function checkMeAnswer(name: string, answer: Answer, code: string): void {
  const parsed = JSON.parse(answer.text) as { data?: { me?: { agency?: { code?: string } } }; errors?: unknown[] };
  if (answer.status !== 200 || parsed.errors || parsed.data?.me?.agency?.code !== code) {
    throw new Error(`${name}: { me { agency { code } } } answered ${answer.status} ${answer.text.slice(0, 300)}`);
  }
}

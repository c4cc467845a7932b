// The records behind the dashboard's charts and map: every den, suspect and fund of the
// operation visible to the agency, read page by page (100 a page, at most FACT_PAGES pages of
// each kind), and the counts the charts draw, by country, month, currency and action.
import { DenFactsQuery, FundFactsQuery, SuspectFactsQuery } from '../documents.ts';
import { gql } from '../gateway.ts';
import type { ConsoleDenFactsQuery, ConsoleFundFactsQuery, ConsoleSuspectFactsQuery } from '../gql/graphql.ts';

export const FACT_PAGES = 10;
export const FACT_PAGE_SIZE = 100;

export type DenFact = ConsoleDenFactsQuery['scamDens']['edges'][number]['node'];
export type SuspectFact = ConsoleSuspectFactsQuery['suspects']['edges'][number]['node'];
export type FundFact = ConsoleFundFactsQuery['interceptedFunds']['edges'][number]['node'];
export type Facts = { dens: DenFact[]; suspects: SuspectFact[]; funds: FundFact[]; partial: boolean };

type Page<T> = { pageInfo: { hasNextPage: boolean; endCursor?: string | null }; edges: { node: T }[] };

/** Reads pages until the last one or FACT_PAGES pages; `partial` says whether it stopped early. */
async function readAll<T>(page: (after: string | null) => Promise<Page<T>>): Promise<{ nodes: T[]; partial: boolean }> {
  const nodes: T[] = [];
  let after: string | null = null;
  for (let i = 0; i < FACT_PAGES; i += 1) {
    const current: Page<T> = await page(after);
    nodes.push(...current.edges.map((e) => e.node));
    if (!current.pageInfo.hasNextPage || !current.pageInfo.endCursor) return { nodes, partial: false };
    after = current.pageInfo.endCursor;
  }
  return { nodes, partial: true };
}

export async function loadFacts(operationCode: string): Promise<Facts> {
  const filter = { operationCode };
  const [dens, suspects, funds] = await Promise.all([
    readAll((after) => gql(DenFactsQuery, { filter, after }).then((r) => r.scamDens)),
    readAll((after) => gql(SuspectFactsQuery, { filter, after }).then((r) => r.suspects)),
    readAll((after) => gql(FundFactsQuery, { filter, after }).then((r) => r.interceptedFunds)),
  ]);
  return { dens: dens.nodes, suspects: suspects.nodes, funds: funds.nodes, partial: dens.partial || suspects.partial || funds.partial };
}

/** Counts by key, keys sorted. */
export function countBy<T>(items: readonly T[], key: (item: T) => string | null | undefined): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    if (k) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return new Map([...counts].sort(([a], [b]) => a.localeCompare(b)));
}

const ARRESTED = new Set(['ARRESTED', 'CHARGED', 'CONVICTED']);
export const isArrest = (s: SuspectFact) => ARRESTED.has(s.status);
export const isRaid = (d: DenFact) => d.status === 'RAIDED' || d.status === 'DISMANTLED';
export const monthOf = (date: string | null | undefined) => (date ? date.slice(0, 7) : null);

export function densByCountry(facts: Facts) {
  return countBy(facts.dens, (d) => d.country);
}

export function arrestsByCountry(facts: Facts) {
  return countBy(facts.suspects.filter(isArrest), (s) => s.den?.country ?? s.nationality);
}

/** Raids (by raid date) and arrests (by status date) per month, on one shared month axis. */
export function byMonth(facts: Facts): { months: string[]; raids: number[]; arrests: number[] } {
  const raids = countBy(facts.dens.filter(isRaid), (d) => monthOf(d.raidedOn));
  const arrests = countBy(facts.suspects.filter(isArrest), (s) => monthOf(s.statusOn));
  const months = [...new Set([...raids.keys(), ...arrests.keys()])].sort();
  return { months, raids: months.map((m) => raids.get(m) ?? 0), arrests: months.map((m) => arrests.get(m) ?? 0) };
}

/** USD amounts per currency, one series per action (STOP_PAYMENT, FROZEN, SEIZED, RETURNED). */
export function fundsByCurrencyAndAction(facts: Facts): { currencies: string[]; actions: { action: string; usd: number[] }[] } {
  const currencies = [...new Set(facts.funds.map((f) => f.currency))].sort();
  const actions = [...new Set(facts.funds.map((f) => f.action))].sort();
  return {
    currencies,
    actions: actions.map((action) => ({
      action,
      usd: currencies.map((currency) =>
        facts.funds.filter((f) => f.currency === currency && f.action === action).reduce((sum, f) => sum + Number(f.amountUsd ?? 0), 0),
      ),
    })),
  };
}

/** Dens with a location, by geohash cell. */
export function densByCell(facts: Facts) {
  return countBy(facts.dens, (d) => d.geohash);
}

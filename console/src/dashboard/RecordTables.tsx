// Tables of the operation's dens, suspects and funds, with the API's own filters and cursor
// paging (20 a page, forward with `after`, back with `before`), and for suspects the other
// agencies that reported the same person ("also reported by"). The filter inputs offer only the
// values of the schema's enums, so the filter objects are the API's filter types.
import { useEffect, useId, useState, type ReactNode } from 'react';
import { DensPageQuery, FundsPageQuery, SuspectsPageQuery } from '../documents.ts';
import { gql } from '../gateway.ts';
import type { InterceptedFundFilter, ScamDenFilter, SuspectFilter } from '../gql/graphql.ts';
import { useT } from '../i18n.tsx';
import type { MessageKey } from '../messages.ts';
import { Alert } from '../screens/Alert.tsx';

const PAGE = 20;

type PageInfo = { hasNextPage: boolean; hasPreviousPage: boolean; startCursor?: string | null; endCursor?: string | null };
type Connection<T> = { totalCount: number; pageInfo: PageInfo; edges: { node: T }[] };
type Cursor = { after?: string; before?: string };
type Filter = { key: string; label: MessageKey; options?: readonly string[] };
type Column<T> = { label: MessageKey; cell: (row: T) => ReactNode };

const SHARING = ['CLEAR', 'GREEN', 'AMBER', 'RED'] as const;

/** The page variables for a cursor: forward pages with first/after, the page before with last/before. */
const pageVariables = (cursor: Cursor) => (cursor.before ? { last: PAGE, before: cursor.before } : { first: PAGE, after: cursor.after ?? null });

function RecordTable<T extends { id: string }>(props: {
  title: MessageKey;
  filters: Filter[];
  columns: Column<T>[];
  load: (filter: Record<string, string>, cursor: Cursor) => Promise<Connection<T>>;
  operationCode: string;
  reload: number;
}) {
  const t = useT();
  const baseId = useId();
  const [filter, setFilter] = useState<Record<string, string>>({});
  const [cursor, setCursor] = useState<Cursor>({});
  const [page, setPage] = useState<Connection<T> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const { load, operationCode, reload } = props;

  useEffect(() => {
    let live = true;
    setError(null);
    const active = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== ''));
    load({ ...active, operationCode }, cursor)
      .then((result) => live && setPage(result))
      .catch((caught: unknown) => live && setError(caught));
    return () => {
      live = false;
    };
  }, [load, filter, cursor, operationCode, reload]);

  const setOne = (key: string, value: string) => {
    setFilter((f) => ({ ...f, [key]: value }));
    setCursor({});
  };

  return (
    <section className="records" aria-labelledby={`${baseId}-h`}>
      <h4 id={`${baseId}-h`}>{t(props.title)}</h4>
      <div className="filters">
        {props.filters.map((f) => (
          <span key={f.key}>
            <label htmlFor={`${baseId}-${f.key}`}>{t(f.label)}</label>{' '}
            {f.options ? (
              <select id={`${baseId}-${f.key}`} value={filter[f.key] ?? ''} onChange={(e) => setOne(f.key, e.target.value)}>
                <option value="">{t('tables.any')}</option>
                {f.options.map((o) => (
                  <option key={o}>{o}</option>
                ))}
              </select>
            ) : (
              <input id={`${baseId}-${f.key}`} size={8} value={filter[f.key] ?? ''} onChange={(e) => setOne(f.key, e.target.value.trim().toUpperCase())} />
            )}
          </span>
        ))}
      </div>
      <Alert error={error} />
      {page && (
        <>
          <p className="hint" data-total={page.totalCount}>
            {t('tables.total', { count: page.totalCount })}
          </p>
          {page.edges.length === 0 ? (
            <p>{t('tables.empty')}</p>
          ) : (
            <div className="scroll">
              <table>
                <thead>
                  <tr>
                    {props.columns.map((c) => (
                      <th key={c.label} scope="col">
                        {t(c.label)}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {page.edges.map(({ node }) => (
                    <tr key={node.id}>
                      {props.columns.map((c) => (
                        <td key={c.label}>{c.cell(node)}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <div className="pager">
            <button type="button" disabled={!page.pageInfo.hasPreviousPage || !page.pageInfo.startCursor} onClick={() => setCursor({ before: page.pageInfo.startCursor ?? '' })}>
              {t('tables.previous')}
            </button>
            <button type="button" disabled={!page.pageInfo.hasNextPage || !page.pageInfo.endCursor} onClick={() => setCursor({ after: page.pageInfo.endCursor ?? '' })}>
              {t('tables.next')}
            </button>
          </div>
        </>
      )}
    </section>
  );
}

const loadDens = (filter: Record<string, string>, cursor: Cursor) => gql(DensPageQuery, { filter: filter as ScamDenFilter, ...pageVariables(cursor) }).then((r) => r.scamDens);
const loadSuspects = (filter: Record<string, string>, cursor: Cursor) => gql(SuspectsPageQuery, { filter: filter as SuspectFilter, ...pageVariables(cursor) }).then((r) => r.suspects);
const loadFunds = (filter: Record<string, string>, cursor: Cursor) => gql(FundsPageQuery, { filter: filter as InterceptedFundFilter, ...pageVariables(cursor) }).then((r) => r.interceptedFunds);

type DenRow = Awaited<ReturnType<typeof loadDens>>['edges'][number]['node'];
type SuspectRow = Awaited<ReturnType<typeof loadSuspects>>['edges'][number]['node'];
type FundRow = Awaited<ReturnType<typeof loadFunds>>['edges'][number]['node'];

const owner: Filter = { key: 'owner', label: 'tables.owner' };
const sharing: Filter = { key: 'sharingLevel', label: 'tables.sharing', options: SHARING };
const country: Filter = { key: 'country', label: 'tables.country' };

export function RecordTables({ operationCode, reload }: { operationCode: string; reload: number }) {
  const t = useT();
  return (
    <section aria-labelledby="records-heading">
      <h3 id="records-heading">{t('tables.heading')}</h3>
      <RecordTable<DenRow>
        title="tables.dens"
        operationCode={operationCode}
        reload={reload}
        load={loadDens}
        filters={[owner, sharing, country, { key: 'status', label: 'tables.status', options: ['SUSPECTED', 'ACTIVE', 'RAIDED', 'DISMANTLED'] }]}
        columns={[
          { label: 'tables.ref', cell: (d) => d.sourceRef },
          { label: 'tables.owner', cell: (d) => d.owner.code },
          { label: 'tables.country', cell: (d) => d.country },
          { label: 'tables.region', cell: (d) => d.region ?? '' },
          { label: 'tables.type', cell: (d) => d.denType },
          { label: 'tables.status', cell: (d) => d.status },
          { label: 'tables.raidedOn', cell: (d) => d.raidedOn ?? '' },
          { label: 'tables.devices', cell: (d) => d.devicesSeized ?? '' },
          { label: 'tables.sharing', cell: (d) => d.sharingLevel },
        ]}
      />
      <RecordTable<SuspectRow>
        title="tables.suspects"
        operationCode={operationCode}
        reload={reload}
        load={loadSuspects}
        filters={[
          owner,
          sharing,
          { key: 'country', label: 'tables.nationality' },
          { key: 'status', label: 'tables.status', options: ['WANTED', 'ARRESTED', 'SURRENDERED', 'CHARGED', 'CONVICTED', 'RELEASED', 'REPATRIATED'] },
          { key: 'role', label: 'tables.role', options: ['ORGANIZER', 'CORE_MEMBER', 'MEMBER', 'MONEY_MULE', 'RECRUITER', 'FACILITATOR', 'UNKNOWN'] },
        ]}
        columns={[
          { label: 'tables.person', cell: (s) => <code title={s.personKey}>{s.personKey.slice(0, 12)}…</code> },
          { label: 'tables.owner', cell: (s) => s.owner.code },
          { label: 'tables.nationality', cell: (s) => s.nationality ?? '' },
          { label: 'tables.role', cell: (s) => s.role },
          { label: 'tables.status', cell: (s) => s.status },
          { label: 'tables.date', cell: (s) => s.statusOn ?? '' },
          { label: 'tables.alsoReportedBy', cell: (s) => s.alsoReportedBy.map((a) => a.code).join(', ') },
          { label: 'tables.sharing', cell: (s) => s.sharingLevel },
        ]}
      />
      <RecordTable<FundRow>
        title="tables.funds"
        operationCode={operationCode}
        reload={reload}
        load={loadFunds}
        filters={[
          owner,
          sharing,
          country,
          { key: 'currency', label: 'tables.currency' },
          { key: 'status', label: 'tables.action', options: ['STOP_PAYMENT', 'FROZEN', 'SEIZED', 'RETURNED'] },
        ]}
        columns={[
          { label: 'tables.owner', cell: (f) => f.owner.code },
          { label: 'tables.amount', cell: (f) => f.amount },
          { label: 'tables.currency', cell: (f) => f.currency },
          { label: 'tables.amountUsd', cell: (f) => f.amountUsd ?? '' },
          { label: 'tables.channel', cell: (f) => f.channel },
          { label: 'tables.action', cell: (f) => f.action },
          { label: 'tables.date', cell: (f) => f.actionOn ?? '' },
          { label: 'tables.country', cell: (f) => f.accountCountry ?? '' },
          { label: 'tables.sharing', cell: (f) => f.sharingLevel },
        ]}
      />
    </section>
  );
}

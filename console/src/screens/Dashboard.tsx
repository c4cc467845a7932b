// The operation dashboard: choose an operation, read its totals (Operation.summary), its charts
// and map (drawn from every visible record of the operation; both loaded on demand to keep the
// first load small), and page through its records.
import { lazy, Suspense, useEffect, useId, useState } from 'react';
import type { ScreenProps } from './screen.ts';
import { OperationSummaryQuery } from '../documents.ts';
import { gql } from '../gateway.ts';
import type { ConsoleOperationSummaryQuery } from '../gql/graphql.ts';
import { useT } from '../i18n.tsx';
import type { MessageKey } from '../messages.ts';
import { useOperations } from '../operations.ts';
import { loadFacts, FACT_PAGES, FACT_PAGE_SIZE, type Facts } from '../dashboard/facts.ts';
import { RecordTables } from '../dashboard/RecordTables.tsx';
import { Alert, Note } from './Alert.tsx';

const Charts = lazy(() => import('../dashboard/Charts.tsx'));
const WorldMap = lazy(() => import('../dashboard/WorldMap.tsx'));

type Operation = NonNullable<ConsoleOperationSummaryQuery['operation']>;
type SummaryKey = Exclude<keyof Operation['summary'], 'fundsByCurrency' | '__typename'>;

const FIGURES: SummaryKey[] = [
  'countries', 'scamDens', 'densRaided', 'suspects', 'suspectsArrested', 'suspectsSurrendered',
  'suspectsWanted', 'traffickingVictims', 'devicesSeized', 'fundRecords', 'fundsInterceptedUsd',
];

function Summary({ operation }: { operation: Operation }) {
  const t = useT();
  return (
    <section aria-labelledby="summary-heading">
      <h3 id="summary-heading">{t('summary.heading')}</h3>
      <dl className="figures">
        {FIGURES.map((key) => (
          <div key={key} className="figure" data-figure={key}>
            <dt>{t(`summary.${key}` as MessageKey)}</dt>
            <dd>{key === 'fundsInterceptedUsd' ? Number(operation.summary[key]).toLocaleString() : operation.summary[key]}</dd>
          </div>
        ))}
      </dl>
      {operation.summary.fundsByCurrency.length > 0 && (
        <p className="hint">{operation.summary.fundsByCurrency.map((f) => `${f.currency} ${Number(f.amount).toLocaleString()}`).join(' · ')}</p>
      )}
    </section>
  );
}

export function DashboardScreen({ session }: ScreenProps) {
  const t = useT();
  const selectId = useId();
  const { operations, error: operationsError } = useOperations(session);
  const [code, setCode] = useState('');
  const [operation, setOperation] = useState<Operation | null>(null);
  const [facts, setFacts] = useState<Facts | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    if (!code && operations?.[0]) setCode(operations[0].code);
  }, [operations, code]);

  useEffect(() => {
    if (!code) return;
    let live = true;
    setError(null);
    setFacts(null);
    Promise.all([gql(OperationSummaryQuery, { code }), loadFacts(code)])
      .then(([summary, loaded]) => {
        if (!live) return;
        setOperation(summary.operation ?? null);
        setFacts(loaded);
      })
      .catch((caught: unknown) => live && setError(caught));
    return () => {
      live = false;
    };
  }, [code, reload]);

  return (
    <section aria-labelledby="dashboard-heading">
      <h2 id="dashboard-heading">{t('dashboard.heading')}</h2>
      <Alert error={operationsError ?? error} />
      {operations?.length === 0 && <Note>{t('dashboard.noOperation')}</Note>}
      <div className="toolbar">
        <label htmlFor={selectId}>{t('dashboard.operation')}</label>
        <select id={selectId} value={code} onChange={(e) => setCode(e.target.value)}>
          {(operations ?? []).map((o) => (
            <option key={o.code} value={o.code}>
              {o.code} — {o.name}
            </option>
          ))}
        </select>
        <button type="button" onClick={() => setReload((n) => n + 1)}>
          {t('dashboard.reload')}
        </button>
      </div>
      {!operation && !error && code && <Note>{t('dashboard.loading')}</Note>}
      {operation && (
        <>
          <p className="hint">
            {operation.name} · {t('dashboard.lead', { lead: operation.lead.code, participants: operation.participants.map((p) => p.code).join(', ') })}
          </p>
          <Summary operation={operation} />
        </>
      )}
      {facts && (
        <>
          <section aria-labelledby="charts-heading">
            <h3 id="charts-heading">{t('charts.heading')}</h3>
            {facts.partial && <Note>{t('charts.partial', { count: FACT_PAGES * FACT_PAGE_SIZE })}</Note>}
            <Suspense fallback={<Note>{t('charts.loading')}</Note>}>
              <Charts facts={facts} />
            </Suspense>
          </section>
          <section aria-labelledby="map-heading">
            <h3 id="map-heading">{t('map.heading')}</h3>
            <Suspense fallback={<Note>{t('map.loading')}</Note>}>
              <WorldMap facts={facts} />
            </Suspense>
          </section>
        </>
      )}
      {code && <RecordTables operationCode={code} reload={reload} />}
    </section>
  );
}

// Disclosures: the requests for the agency's records (Incoming: approve with an optional last
// day, deny, or revoke an approval) and the requests the agency made (Outgoing: status, the
// owner's reason, and the record once approved), each tab filtered by status, with the live
// event feed beside them. Listing needs records:read; deciding and revoking records:submit.
import { useCallback, useEffect, useId, useState } from 'react';
import { DecideDisclosureMutation, DisclosureRequestsQuery, RevokeDisclosureMutation } from '../documents.ts';
import { GatewayError, gql } from '../gateway.ts';
import type { ConsoleDisclosureRequestsQuery, DisclosureDecision, DisclosureDirection, DisclosureStatus } from '../gql/graphql.ts';
import { useT, type Translate } from '../i18n.tsx';
import { dateTime } from '../time.ts';
import { Alert, Note } from './Alert.tsx';
import { EventFeed } from './EventFeed.tsx';
import type { ScreenProps } from './screen.ts';

type Request = ConsoleDisclosureRequestsQuery['disclosureRequests'][number];

const DIRECTIONS: readonly DisclosureDirection[] = ['INCOMING', 'OUTGOING'];
const STATUSES: readonly DisclosureStatus[] = ['PENDING', 'OVERDUE', 'APPROVED', 'DENIED', 'REVOKED', 'EXPIRED'];
const UNDECIDED: readonly DisclosureStatus[] = ['PENDING', 'OVERDUE'];

/** The record an approval lets the requester read, in one line. */
function recordSummary(t: Translate, record: Request['record']): string | null {
  if (!record) return null;
  if (record.__typename === 'Suspect') {
    return t('disclosures.record.Suspect', { ref: record.sourceRef, nationality: record.nationality ?? '—', role: record.role, status: record.status });
  }
  return t('disclosures.record.InterceptedFund', { ref: record.sourceRef, amount: record.amount, currency: record.currency, action: record.action });
}

/** Approve (with an optional last day) or deny a request; the reason is required either way. */
function DecisionForm({ request, label, done }: { request: Request; label: string; done: () => void }) {
  const t = useT();
  const ids = { reason: useId(), expiresOn: useId() };
  const [reason, setReason] = useState('');
  const [expiresOn, setExpiresOn] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function decide(event: { preventDefault(): void }, decision: DisclosureDecision) {
    event.preventDefault();
    setError(null);
    if (!reason.trim()) return setError(new GatewayError('disclosures.needReason'));
    setBusy(true);
    try {
      const variables = { id: request.id, decision, reason: reason.trim(), expiresOn: decision === 'APPROVE' && expiresOn ? expiresOn : null };
      await gql(DecideDisclosureMutation, variables, { scope: 'records:submit' });
      done();
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  return (
    <form className="decision" onSubmit={(e) => decide(e, 'APPROVE')} noValidate aria-label={`${t('disclosures.decide')} ${label}`}>
      <label htmlFor={ids.reason}>{t('disclosures.reason')}</label>
      <textarea id={ids.reason} rows={2} maxLength={2000} value={reason} onChange={(e) => setReason(e.target.value)} />
      <label htmlFor={ids.expiresOn}>{t('disclosures.expiresOn')}</label>
      <input id={ids.expiresOn} type="date" value={expiresOn} onChange={(e) => setExpiresOn(e.target.value)} />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {t('disclosures.approve')}
        </button>
        <button type="button" disabled={busy} onClick={(e) => decide(e, 'DENY')}>
          {t('disclosures.deny')}
        </button>
      </div>
      <Alert error={error} />
    </form>
  );
}

function RevokeButton({ request, label, done }: { request: Request; label: string; done: () => void }) {
  const t = useT();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function revoke() {
    setError(null);
    setBusy(true);
    try {
      await gql(RevokeDisclosureMutation, { id: request.id }, { scope: 'records:submit' });
      done();
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }
  return (
    <>
      <button type="button" disabled={busy} aria-label={`${t('disclosures.revoke')} ${label}`} onClick={revoke}>
        {t('disclosures.revoke')}
      </button>
      <Alert error={error} />
    </>
  );
}

function StatusCell({ request }: { request: Request }) {
  const t = useT();
  return (
    <td>
      <strong className={`status status-${request.status}`}>{t(`status.${request.status}`)}</strong>
      {request.reason && <div>{t('disclosures.ownerReason', { reason: request.reason })}</div>}
      {request.expiresOn && <div>{t('disclosures.until', { day: request.expiresOn })}</div>}
    </td>
  );
}

function IncomingRows({ requests, reload }: { requests: Request[]; reload: () => void }) {
  const t = useT();
  return (
    <>
      {requests.map((request, index) => {
        const label = `${index + 1} (${request.requester.code})`;
        return (
          <tr key={request.id} className={request.status === 'OVERDUE' ? 'overdue' : undefined}>
            <td>{index + 1}</td>
            <td>{request.requester.code} ({request.requester.name})</td>
            <td>{request.recordType}</td>
            <td>{request.justification}</td>
            <td>{request.legalBasis}</td>
            <td>{dateTime(request.dueAt)}</td>
            <StatusCell request={request} />
            <td>
              {UNDECIDED.includes(request.status) && <DecisionForm request={request} label={label} done={reload} />}
              {request.status === 'APPROVED' && <RevokeButton request={request} label={label} done={reload} />}
            </td>
          </tr>
        );
      })}
    </>
  );
}

function OutgoingRows({ requests }: { requests: Request[] }) {
  const t = useT();
  return (
    <>
      {requests.map((request, index) => (
        <tr key={request.id} className={request.status === 'OVERDUE' ? 'overdue' : undefined}>
          <td>{index + 1}</td>
          <td>{request.owner.code} ({request.owner.name})</td>
          <td>{request.recordType}</td>
          <td>{request.justification}</td>
          <td>{request.legalBasis}</td>
          <td>{dateTime(request.dueAt)}</td>
          <StatusCell request={request} />
          <td className="record">{recordSummary(t, request.record) ?? t('disclosures.noRecord')}</td>
        </tr>
      ))}
    </>
  );
}

export function DisclosuresScreen({ session }: ScreenProps) {
  const t = useT();
  const ids = { status: useId(), panel: useId() };
  const [direction, setDirection] = useState<DisclosureDirection>('INCOMING');
  const [status, setStatus] = useState<DisclosureStatus | ''>('');
  const [requests, setRequests] = useState<Request[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loads, setLoads] = useState(0);
  const reload = useCallback(() => setLoads((n) => n + 1), []);

  useEffect(() => {
    let live = true;
    setError(null);
    setRequests(null);
    gql(DisclosureRequestsQuery, { direction, status: status || null })
      .then(({ disclosureRequests }) => live && setRequests(disclosureRequests))
      .catch((caught: unknown) => live && setError(caught));
    return () => {
      live = false;
    };
  }, [direction, status, loads, session]);

  const incoming = direction === 'INCOMING';
  return (
    <section aria-labelledby="disclosures-heading" className="disclosures">
      <h2 id="disclosures-heading">{t('disclosures.heading')}</h2>
      <p>{t('disclosures.intro')}</p>
      <div className="disclosures-layout">
        <div>
          <div role="tablist" className="tabs" aria-label={t('disclosures.heading')}>
            {DIRECTIONS.map((d) => (
              <button key={d} type="button" role="tab" aria-selected={d === direction} aria-controls={ids.panel} onClick={() => setDirection(d)}>
                {t(`disclosures.${d}`)}
              </button>
            ))}
          </div>
          <div role="tabpanel" id={ids.panel} aria-label={t(`disclosures.${direction}`)}>
            <div className="actions">
              <label htmlFor={ids.status}>{t('disclosures.status')}</label>
              <select id={ids.status} value={status} onChange={(e) => setStatus(e.target.value as DisclosureStatus | '')}>
                <option value="">{t('tables.any')}</option>
                {STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {t(`status.${s}`)}
                  </option>
                ))}
              </select>
              <button type="button" onClick={reload}>
                {t('dashboard.reload')}
              </button>
            </div>
            <Alert error={error} />
            {requests && requests.length === 0 && <Note>{t(incoming ? 'disclosures.noneIncoming' : 'disclosures.noneOutgoing')}</Note>}
            {requests && requests.length > 0 && (
              <div className="scroll">
                <table className={`disclosure-requests ${direction.toLowerCase()}`}>
                  <thead>
                    <tr>
                      <th scope="col">#</th>
                      <th scope="col">{t(incoming ? 'disclosures.requester' : 'disclosures.owner')}</th>
                      <th scope="col">{t('tables.type')}</th>
                      <th scope="col">{t('disclosures.justification')}</th>
                      <th scope="col">{t('disclosures.legalBasis')}</th>
                      <th scope="col">{t('disclosures.due')}</th>
                      <th scope="col">{t('tables.status')}</th>
                      <th scope="col">{t(incoming ? 'disclosures.decision' : 'disclosures.record')}</th>
                    </tr>
                  </thead>
                  <tbody>{incoming ? <IncomingRows requests={requests} reload={reload} /> : <OutgoingRows requests={requests} />}</tbody>
                </table>
              </div>
            )}
          </div>
        </div>
        <EventFeed session={session} />
      </div>
    </section>
  );
}

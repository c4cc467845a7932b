// Submit: operation, format (guessed from the file), mode; the file dropped or chosen; a dry run
// first (its issues in a filterable table), then the real submission with an upload progress
// bar, the report and its receipt verified in the browser. Submissions of this browser session
// are listed below and can be read again from the gateway.
import { useEffect, useId, useState, type DragEvent } from 'react';
import { SubmissionQuery } from '../documents.ts';
import { FORMATS, guessFormat } from '../formats.ts';
import { gql, submitFile, type PartnerFormatName, type SubmissionReport, type SubmitOutcome } from '../gateway.ts';
import { useT } from '../i18n.tsx';
import { useOperations } from '../operations.ts';
import { verifyReceipt, type ReceiptCheck } from '../receipt.ts';
import type { ScreenProps } from './screen.ts';
import { Alert, Note } from './Alert.tsx';
import { IssuesTable } from './IssuesTable.tsx';

type Mode = 'ATOMIC' | 'PARTIAL';
type HistoryRow = { id: string; fileName: string; operation: string; status: string; accepted: number; rejected: number };

/** This session's submissions: module state, so it survives switching screens, and nothing else. */
const history: HistoryRow[] = [];

const sizeOf = (bytes: number) => (bytes < 1024 ? `${bytes} B` : bytes < 1048576 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1048576).toFixed(1)} MiB`);

function ReceiptStatus({ report }: { report: SubmissionReport }) {
  const t = useT();
  const [check, setCheck] = useState<ReceiptCheck | null>(null);
  useEffect(() => {
    let live = true;
    setCheck(null);
    verifyReceipt(report).then((result) => live && setCheck(result));
    return () => {
      live = false;
    };
  }, [report]);
  return (
    <div className="receipt">
      <h4>{t('submit.receipt')}</h4>
      {!check && <Note>{t('submit.receiptChecking')}</Note>}
      {check?.valid === true && (
        <Note tone="ok">
          <span data-testid="receipt-valid">✔ {t('submit.receiptValid', { kid: check.kid })}</span>
        </Note>
      )}
      {check?.valid === false && (
        <Note tone="bad">✘ {t('submit.receiptInvalid', { why: check.why === 'mismatch' ? t('submit.receiptMismatch') : check.why })}</Note>
      )}
      <details>
        <summary>JWS</summary>
        <code className="jws">{report.receipt}</code>
      </details>
    </div>
  );
}

function ReportView({ outcome, fileName }: { outcome: SubmitOutcome; fileName: string }) {
  const t = useT();
  const { report, replay } = outcome;
  const counts = { ...report.counts };
  const sentence = report.dryRun
    ? t('submit.dryRunResult', counts)
    : report.status === 'ACCEPTED'
      ? t('submit.result.ACCEPTED', counts)
      : t('submit.result.REJECTED');
  return (
    <section className="report" aria-labelledby="report-heading">
      <h3 id="report-heading">{report.dryRun ? t('submit.dryRun') : t('submit.reportId', { id: report.id })}</h3>
      {replay && <Note>{t('submit.replay')}</Note>}
      <Note tone={report.status === 'ACCEPTED' ? 'ok' : 'bad'}>
        <strong>{report.status}</strong> — {sentence}
      </Note>
      <IssuesTable issues={report.issues} fileName={fileName} />
      {!report.dryRun && <ReceiptStatus report={report} />}
    </section>
  );
}

/** Re-rendered by its parent after each submission (`version`) and by itself after reading again. */
function History({ version }: { version: number }) {
  const t = useT();
  const [, setReads] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const rows = history;
  async function readAgain(row: HistoryRow) {
    setError(null);
    try {
      const { submission } = await gql(SubmissionQuery, { id: row.id });
      if (submission) Object.assign(row, { status: submission.status, accepted: submission.counts.accepted, rejected: submission.counts.rejected });
      setReads((n) => n + 1);
    } catch (caught) {
      setError(caught);
    }
  }
  return (
    <section aria-labelledby="history-heading" data-version={version}>
      <h3 id="history-heading">{t('submit.history')}</h3>
      <p className="hint">{t('submit.historyNote')}</p>
      <Alert error={error} />
      {rows.length === 0 ? (
        <p>{t('submit.historyEmpty')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">id</th>
              <th scope="col">{t('submit.file')}</th>
              <th scope="col">{t('submit.operation')}</th>
              <th scope="col">{t('tables.status')}</th>
              <th scope="col">{t('submit.historyAccepted')}</th>
              <th scope="col">{t('submit.historyRejected')}</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id}>
                <td>
                  <code>{row.id}</code>
                </td>
                <td>{row.fileName}</td>
                <td>{row.operation}</td>
                <td>{row.status}</td>
                <td>{row.accepted}</td>
                <td>{row.rejected}</td>
                <td>
                  <button type="button" onClick={() => readAgain(row)}>
                    {t('submit.refresh')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function SubmitScreen({ session }: ScreenProps) {
  const t = useT();
  const ids = { operation: useId(), format: useId(), file: useId(), progress: useId() };
  const { operations, error: operationsError } = useOperations(session);
  const [operation, setOperation] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<PartnerFormatName>('es-pn-csv');
  const [mode, setMode] = useState<Mode>('ATOMIC');
  const [dragging, setDragging] = useState(false);
  const [progress, setProgress] = useState<{ sent: number; total: number } | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<SubmitOutcome | null>(null);
  /** What the last dry run checked: the real submission is offered for exactly that. */
  const [checked, setChecked] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());

  useEffect(() => {
    if (!operation && operations?.[0]) setOperation(operations[0].code);
  }, [operations, operation]);

  const fingerprint = file ? `${file.name}|${file.size}|${file.lastModified}|${format}|${operation}|${mode}` : null;

  async function choose(chosen: File | null) {
    setFile(chosen);
    setOutcome(null);
    setChecked(null);
    setError(null);
    setIdempotencyKey(crypto.randomUUID());
    if (chosen) setFormat(guessFormat(chosen.name, await chosen.slice(0, 4096).text()));
  }

  function onDrop(event: DragEvent) {
    event.preventDefault();
    setDragging(false);
    void choose(event.dataTransfer.files[0] ?? null);
  }

  async function send(dryRun: boolean) {
    setError(null);
    if (!file) return setError(new Error(t('submit.needFile')));
    if (!operation) return setError(new Error(t('submit.needOperation')));
    setBusy(true);
    setOutcome(null);
    setProgress({ sent: 0, total: file.size });
    try {
      const result = await submitFile(
        file,
        { format, operation, mode, dryRun },
        (sent, total) => setProgress({ sent, total }),
        dryRun ? undefined : idempotencyKey,
      );
      setOutcome(result);
      // Only a file the dry run accepted may be sent: an ATOMIC file with an invalid record would
      // only be rejected again.
      if (dryRun) setChecked(result.report.status === 'ACCEPTED' ? fingerprint : null);
      else {
        const { report } = result;
        history.unshift({ id: report.id, fileName: file.name, operation, status: report.status, accepted: report.counts.accepted, rejected: report.counts.rejected });
        setIdempotencyKey(crypto.randomUUID());
      }
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
      setProgress(null);
    }
  }

  const percent = progress && progress.total > 0 ? Math.round((100 * progress.sent) / progress.total) : 0;
  return (
    <section aria-labelledby="submit-heading">
      <h2 id="submit-heading">{t('submit.heading')}</h2>
      <Alert error={operationsError} />
      {operations?.length === 0 && <Note tone="bad">{t('submit.noOperations')}</Note>}
      <div className="form-grid">
        <div className="field">
          <label htmlFor={ids.operation}>{t('submit.operation')}</label>
          <select id={ids.operation} value={operation} onChange={(e) => setOperation(e.target.value)}>
            {(operations ?? []).map((o) => (
              <option key={o.code} value={o.code}>
                {o.code} — {o.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.format}>{t('submit.format')}</label>
          <select id={ids.format} value={format} onChange={(e) => setFormat(e.target.value as PartnerFormatName)} aria-describedby={`${ids.format}-hint`}>
            {FORMATS.map((f) => (
              <option key={f}>{f}</option>
            ))}
          </select>
          <small id={`${ids.format}-hint`}>{t('submit.formatGuessed')}</small>
        </div>
        <fieldset className="field">
          <legend>{t('submit.mode')}</legend>
          {(['ATOMIC', 'PARTIAL'] as const).map((m) => (
            <label key={m} className="radio">
              <input type="radio" name="mode" value={m} checked={mode === m} onChange={() => setMode(m)} />{' '}
              {t(m === 'ATOMIC' ? 'submit.modeAtomic' : 'submit.modePartial')}
            </label>
          ))}
        </fieldset>
      </div>
      <div
        className={`drop${dragging ? ' dragging' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <label htmlFor={ids.file}>{t('submit.drop')}</label>
        <input id={ids.file} type="file" onChange={(e) => void choose(e.target.files?.[0] ?? null)} />
        <small>{file ? t('submit.chosen', { name: file.name, size: sizeOf(file.size) }) : t('submit.dropHint')}</small>
      </div>
      <div className="actions">
        <button type="button" onClick={() => send(true)} disabled={busy || !file}>
          {t('submit.dryRun')}
        </button>
        <button type="button" className="primary" onClick={() => send(false)} disabled={busy || !file || checked !== fingerprint}>
          {t('submit.send')}
        </button>
        <small>
          {!file || checked === fingerprint
            ? t('submit.dryRunNote')
            : outcome?.report.dryRun && outcome.report.status === 'REJECTED'
              ? t('submit.fixFirst')
              : t('submit.sendAfterDryRun')}
        </small>
      </div>
      {progress && (
        <div className="progress">
          <label htmlFor={ids.progress}>{percent < 100 ? t('submit.uploading', { percent }) : t('submit.processing')}</label>
          <progress id={ids.progress} max={100} value={percent} />
        </div>
      )}
      <Alert error={error} />
      {outcome && file && <ReportView outcome={outcome} fileName={file.name} />}
      <History version={history.length} />
    </section>
  );
}

// Match: identifiers typed or pasted (type, value, country; a birth date for NAME_DOB), a
// required purpose and an optional case reference → hit or no hit per row, with the agencies
// that hold a record. The values stay in this page; the gateway never returns them. A hit on a
// record the agency may not see offers "Request disclosure" (RequestDisclosure.tsx).
import { useId, useState, type FormEvent } from 'react';
import type { ScreenProps } from './screen.ts';
import { MatchQuery } from '../documents.ts';
import { gql } from '../gateway.ts';
import type { ConsoleMatchQuery, MatchIdentifierType } from '../gql/graphql.ts';
import { useT } from '../i18n.tsx';
import { Alert, Note } from './Alert.tsx';
import { RequestDisclosure } from './RequestDisclosure.tsx';

const TYPES: readonly MatchIdentifierType[] = ['PASSPORT', 'NATIONAL_ID', 'PHONE', 'EMAIL', 'MESSENGER', 'BANK_ACCOUNT', 'CRYPTO_WALLET', 'IMEI', 'NAME_DOB'];

type Row = { key: number; type: MatchIdentifierType; value: string; country: string; birthDate: string };
type Result = ConsoleMatchQuery['match'];

let nextKey = 1;
const emptyRow = (type: MatchIdentifierType = 'PASSPORT'): Row => ({ key: nextKey++, type, value: '', country: '', birthDate: '' });

/** A problem with what the person typed, said as a catalogue message. */
class InputError extends Error {}

/** `PASSPORT, E12345678, CN` (comma, semicolon or tab) → a row; a bad line names its number. */
export function parseLines(text: string, badLine: (line: number) => string): Row[] {
  return text
    .split(/\r?\n/)
    .map((line, index) => ({ cells: line.split(/[,;\t]/).map((c) => c.trim()), line: index + 1 }))
    .filter(({ cells }) => cells.some((c) => c !== ''))
    .map(({ cells, line }) => {
      const type = cells[0]?.toUpperCase() as MatchIdentifierType;
      if (!TYPES.includes(type)) throw new InputError(badLine(line));
      const row = emptyRow(type);
      row.value = cells[1] ?? '';
      if (type === 'NAME_DOB') row.birthDate = cells[2] ?? '';
      else row.country = (cells[2] ?? '').toUpperCase();
      return row;
    });
}

export function MatchScreen(_props: ScreenProps) {
  const t = useT();
  const ids = { purpose: useId(), caseRef: useId(), paste: useId(), rows: useId() };
  const [rows, setRows] = useState<Row[]>([emptyRow()]);
  const [purpose, setPurpose] = useState('');
  const [caseRef, setCaseRef] = useState('');
  const [pasted, setPasted] = useState('');
  const [result, setResult] = useState<{ rows: Row[]; answer: Result } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const update = (key: number, change: Partial<Row>) => setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...change } : r)));

  function addPasted() {
    setError(null);
    try {
      const added = parseLines(pasted, (line) => t('match.pasteBad', { line, types: TYPES.join(', ') }));
      setRows((rs) => [...rs.filter((r) => r.value.trim() !== ''), ...added]);
      setPasted('');
    } catch (caught) {
      setError(caught);
    }
  }

  async function run(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      if (!purpose.trim()) throw new InputError(t('match.needPurpose'));
      const empty = rows.findIndex((r) => !r.value.trim());
      if (empty >= 0) throw new InputError(t('match.needValue', { index: empty + 1 }));
      setBusy(true);
      const identifiers = rows.map((r) => ({
        type: r.type,
        value: r.value.trim(),
        ...(r.country.trim() ? { country: r.country.trim().toUpperCase() } : {}),
        ...(r.type === 'NAME_DOB' && r.birthDate ? { birthDate: r.birthDate } : {}),
      }));
      const { match } = await gql(MatchQuery, { input: { purpose: purpose.trim(), identifiers, ...(caseRef.trim() ? { caseRef: caseRef.trim() } : {}) } }, { scope: 'match:query' });
      setResult({ rows: [...rows], answer: match });
    } catch (caught) {
      setError(caught instanceof InputError ? new Error(caught.message) : caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="match-heading">
      <h2 id="match-heading">{t('match.heading')}</h2>
      <p>{t('match.intro')}</p>
      <form onSubmit={run} noValidate>
        <div className="form-grid">
          <div className="field wide">
            <label htmlFor={ids.purpose}>{t('match.purpose')}</label>
            <input id={ids.purpose} value={purpose} maxLength={500} onChange={(e) => setPurpose(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor={ids.caseRef}>{t('match.caseRef')}</label>
            <input id={ids.caseRef} value={caseRef} onChange={(e) => setCaseRef(e.target.value)} />
          </div>
        </div>
        <table className="identifiers">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">{t('match.type')}</th>
              <th scope="col">{t('match.value')}</th>
              <th scope="col">{t('match.country')}</th>
              <th scope="col">{t('match.birthDate')}</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {rows.map((row, index) => (
              <tr key={row.key}>
                <td>{index + 1}</td>
                <td>
                  <select aria-label={`${t('match.type')} ${index + 1}`} value={row.type} onChange={(e) => update(row.key, { type: e.target.value as MatchIdentifierType })}>
                    {TYPES.map((type) => (
                      <option key={type}>{type}</option>
                    ))}
                  </select>
                </td>
                <td>
                  <input aria-label={`${t('match.value')} ${index + 1}`} value={row.value} autoComplete="off" spellCheck={false} onChange={(e) => update(row.key, { value: e.target.value })} />
                </td>
                <td>
                  <input aria-label={`${t('match.country')} ${index + 1}`} size={4} value={row.country} onChange={(e) => update(row.key, { country: e.target.value })} />
                </td>
                <td>
                  <input aria-label={`${t('match.birthDate')} ${index + 1}`} type="date" disabled={row.type !== 'NAME_DOB'} value={row.birthDate} onChange={(e) => update(row.key, { birthDate: e.target.value })} />
                </td>
                <td>
                  <button type="button" disabled={rows.length === 1} onClick={() => setRows((rs) => rs.filter((r) => r.key !== row.key))}>
                    {t('match.removeRow', { index: index + 1 })}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="actions">
          <button type="button" onClick={() => setRows((rs) => [...rs, emptyRow(rs.at(-1)?.type)])}>
            {t('match.addRow')}
          </button>
        </div>
        <details>
          <summary>{t('match.paste')}</summary>
          <label htmlFor={ids.paste} className="visually-hidden">
            {t('match.paste')}
          </label>
          <textarea id={ids.paste} rows={4} value={pasted} spellCheck={false} onChange={(e) => setPasted(e.target.value)} placeholder="PASSPORT, E12345678, CN" />
          <button type="button" onClick={addPasted}>
            {t('match.pasteAdd')}
          </button>
        </details>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {t('match.run')}
          </button>
        </div>
      </form>
      <Alert error={error} />
      {result && (
        <section aria-labelledby="match-result-heading">
          <h3 id="match-result-heading">{t('match.result')}</h3>
          <Note>{t('match.quota', { remaining: result.answer.quotaRemaining, perDay: result.answer.quotaPerDay })}</Note>
          <table className="match-results">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{t('match.type')}</th>
                <th scope="col">{t('match.value')}</th>
                <th scope="col">{t('match.result')}</th>
                <th scope="col">{t('match.owner')}</th>
              </tr>
            </thead>
            <tbody>
              {result.answer.results.map((outcome) => {
                const row = result.rows[outcome.index];
                return (
                  <tr key={outcome.index} className={outcome.hit ? 'hit' : 'no-hit'}>
                    <td>{outcome.index + 1}</td>
                    <td>{row?.type}</td>
                    <td>{row?.value}</td>
                    <td>
                      <strong>{outcome.hit ? t('match.hit') : t('match.noHit')}</strong>
                    </td>
                    <td>
                      <ul className="plain">
                        {outcome.hits.map((hit, i) => (
                          <li key={hit.hitRef}>
                            {hit.owner.code} ({hit.owner.name}) · {hit.recordType} ·{' '}
                            {hit.own ? t('match.own') : hit.recordId ? t('match.visible') : t('match.hidden')}
                            {!hit.own && !hit.recordId && (
                              <RequestDisclosure hitRef={hit.hitRef} label={`${outcome.index + 1}.${i + 1} ${hit.owner.code} ${hit.recordType}`} />
                            )}
                          </li>
                        ))}
                      </ul>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      )}
    </section>
  );
}

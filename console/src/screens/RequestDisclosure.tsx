// "Request disclosure" for one hit of the Match screen whose record the agency may not see: a
// justification and the legal basis (both required; the owner reads them) → the request's
// status and due time. Asking again for the same hit answers the same request.
import { useId, useState, type FormEvent } from 'react';
import { RequestDisclosureMutation } from '../documents.ts';
import { GatewayError, gql } from '../gateway.ts';
import type { ConsoleRequestDisclosureMutation } from '../gql/graphql.ts';
import { useT } from '../i18n.tsx';
import { Alert, Note } from './Alert.tsx';
import { dateTime } from '../time.ts';

type Requested = ConsoleRequestDisclosureMutation['requestDisclosure'];

export function RequestDisclosure({ hitRef, label }: { hitRef: string; label: string }) {
  const t = useT();
  const ids = { justification: useId(), legalBasis: useId() };
  const [open, setOpen] = useState(false);
  const [justification, setJustification] = useState('');
  const [legalBasis, setLegalBasis] = useState('');
  const [requested, setRequested] = useState<Requested | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function send(event: FormEvent) {
    event.preventDefault();
    setError(null);
    if (!justification.trim()) return setError(new GatewayError('disclose.needJustification'));
    if (!legalBasis.trim()) return setError(new GatewayError('disclose.needLegalBasis'));
    setBusy(true);
    try {
      const { requestDisclosure } = await gql(
        RequestDisclosureMutation,
        { hitRef, justification: justification.trim(), legalBasis: legalBasis.trim() },
        { scope: 'match:query' },
      );
      setRequested(requestDisclosure);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  if (requested) {
    return (
      <Note tone="ok">
        {t('disclose.requested', { status: t(`status.${requested.status}`), due: dateTime(requested.dueAt) })}
      </Note>
    );
  }
  if (!open) {
    return (
      <button type="button" aria-label={`${t('disclose.action')}: ${label}`} onClick={() => setOpen(true)}>
        {t('disclose.action')}
      </button>
    );
  }
  return (
    <form className="disclose-form" onSubmit={send} noValidate aria-label={`${t('disclose.action')}: ${label}`}>
      <div className="field">
        <label htmlFor={ids.justification}>{t('disclose.justification')}</label>
        <textarea id={ids.justification} rows={2} required maxLength={2000} value={justification} onChange={(e) => setJustification(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={ids.legalBasis}>{t('disclose.legalBasis')}</label>
        <input id={ids.legalBasis} required maxLength={500} value={legalBasis} onChange={(e) => setLegalBasis(e.target.value)} />
      </div>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {t('disclose.send')}
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          {t('disclose.cancel')}
        </button>
      </div>
      <Alert error={error} />
    </form>
  );
}

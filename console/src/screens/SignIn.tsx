// Sign-in: the agency code, the officer id and the agency's private JWK file (or a pasted
// token). The key is checked by asking the gateway who we are (`me`) with a token it signed; a
// refusal shows the gateway's reason as a sentence saying what to do.
import { useId, useState, type FormEvent } from 'react';
import { decodeJwt } from 'jose';
import { MeQuery } from '../documents.ts';
import { gql } from '../gateway.ts';
import { useT } from '../i18n.tsx';
import { keySigner, SignInError, start, tokenSigner, type Session, type SessionEnd } from '../session.ts';
import { Alert, Note } from './Alert.tsx';

/** ES-PN.private.jwk.json → ES-PN: the demo and `liaison keys generate` name key files so. */
const agencyOfFileName = (name: string) => /^([A-Z]{2}-[A-Z0-9-]+?)\.private\.jwk\.json$/i.exec(name)?.[1]?.toUpperCase();

/** The audience this gateway's tokens must carry, as its console configuration says. */
async function gatewayAudience(): Promise<string> {
  const response = await fetch('config.json', { headers: { accept: 'application/json' } }).catch(() => undefined);
  const config = response?.ok ? ((await response.json()) as { audience?: unknown }) : undefined;
  if (typeof config?.audience !== 'string') throw new SignInError('signIn.noAudience');
  return config.audience;
}

export function SignIn({ ended }: { ended: SessionEnd }) {
  const t = useT();
  const ids = { agency: useId(), subject: useId(), key: useId(), token: useId() };
  const [agency, setAgency] = useState('');
  const [subject, setSubject] = useState('');
  const [keyFile, setKeyFile] = useState<File | null>(null);
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function signIn(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      if (token.trim()) {
        const signer = tokenSigner(token);
        const claims = (() => {
          try {
            return decodeJwt(signer.token);
          } catch {
            throw new SignInError('auth.token_malformed');
          }
        })();
        start({ agency: String(claims.iss ?? '?'), subject: String(claims.sub ?? '?'), signer });
        return;
      }
      if (!keyFile) throw new SignInError('signIn.needKey');
      if (!agency.trim()) throw new SignInError('signIn.needAgency');
      if (!subject.trim()) throw new SignInError('signIn.needSubject');
      setBusy(true);
      const signer = await keySigner(await keyFile.text(), await gatewayAudience());
      const candidate: Session = { agency: agency.trim().toUpperCase(), subject: subject.trim(), signer };
      const { me } = await gql(MeQuery, {}, { session: candidate });
      start({ ...candidate, agency: me.agency.code });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  function chooseKey(file: File | null) {
    setKeyFile(file);
    const guessed = file ? agencyOfFileName(file.name) : undefined;
    if (guessed && !agency) setAgency(guessed);
  }

  return (
    <section className="sign-in" aria-labelledby="sign-in-heading">
      <h2 id="sign-in-heading">{t('signIn.heading')}</h2>
      {ended === 'idle' && <Note tone="bad">{t('signIn.idle')}</Note>}
      {ended === 'signedOut' && !error && <Note>{t('signIn.signedOut')}</Note>}
      <p>{t('signIn.intro')}</p>
      <form onSubmit={signIn} noValidate>
        <div className="field">
          <label htmlFor={ids.key}>{t('signIn.keyFile')}</label>
          <input id={ids.key} type="file" accept=".json,application/json" onChange={(e) => chooseKey(e.target.files?.[0] ?? null)} />
        </div>
        <div className="field">
          <label htmlFor={ids.agency}>{t('signIn.agency')}</label>
          <input id={ids.agency} value={agency} onChange={(e) => setAgency(e.target.value)} autoComplete="organization" aria-describedby={`${ids.agency}-hint`} />
          <small id={`${ids.agency}-hint`}>{t('signIn.agencyHint')}</small>
        </div>
        <div className="field">
          <label htmlFor={ids.subject}>{t('signIn.subject')}</label>
          <input id={ids.subject} value={subject} onChange={(e) => setSubject(e.target.value)} autoComplete="username" aria-describedby={`${ids.subject}-hint`} />
          <small id={`${ids.subject}-hint`}>{t('signIn.subjectHint')}</small>
        </div>
        <details>
          <summary>{t('signIn.orToken')}</summary>
          <div className="field">
            <label htmlFor={ids.token}>{t('signIn.token')}</label>
            <textarea id={ids.token} value={token} onChange={(e) => setToken(e.target.value)} rows={3} spellCheck={false} autoComplete="off" aria-describedby={`${ids.token}-hint`} />
            <small id={`${ids.token}-hint`}>{t('signIn.tokenHint')}</small>
          </div>
        </details>
        <button type="submit" disabled={busy}>
          {t('signIn.submit')}
        </button>
        {busy && <Note>{t('signIn.checking')}</Note>}
        <Alert error={error} />
      </form>
      <p className="hint">{t('signIn.demoHint')}</p>
    </section>
  );
}

// The console's shell: the sign-in screen until a key is held, then a header (screens, language,
// who is signed in, sign-out) and one screen chosen by the address's #fragment, so that the back
// button and bookmarks work without a server route. Screens live in screens/ and are listed in
// SCREENS.
import { useEffect, useState, useSyncExternalStore, type ComponentType } from 'react';
import { I18nProvider, LANGUAGES, useI18n, type Language } from './i18n.tsx';
import type { MessageKey } from './messages.ts';
import { currentSession, end, howItEnded, subscribe, touch } from './session.ts';
import { SignIn } from './screens/SignIn.tsx';
import { SubmitScreen } from './screens/Submit.tsx';
import { DashboardScreen } from './screens/Dashboard.tsx';
import { MatchScreen } from './screens/Match.tsx';
import { DisclosuresScreen } from './screens/Disclosures.tsx';

import type { ScreenProps } from './screens/screen.ts';
type Screen = { path: string; label: MessageKey; component: ComponentType<ScreenProps> };

const SCREENS: Screen[] = [
  { path: 'submit', label: 'nav.submit', component: SubmitScreen },
  { path: 'dashboard', label: 'nav.dashboard', component: DashboardScreen },
  { path: 'match', label: 'nav.match', component: MatchScreen },
  { path: 'disclosures', label: 'nav.disclosures', component: DisclosuresScreen },
];

const screenOf = (hash: string): Screen => SCREENS.find((s) => `#/${s.path}` === hash) ?? SCREENS[0]!;

function useHash(): string {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const onChange = () => setHash(window.location.hash);
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return hash;
}

/** Key presses and pointer actions anywhere keep the session from going idle. */
function useActivity(): void {
  useEffect(() => {
    document.addEventListener('keydown', touch, true);
    document.addEventListener('pointerdown', touch, true);
    return () => {
      document.removeEventListener('keydown', touch, true);
      document.removeEventListener('pointerdown', touch, true);
    };
  }, []);
}

function LanguagePicker() {
  const { language, setLanguage, t } = useI18n();
  return (
    <label className="language">
      {t('app.language')}{' '}
      <select value={language} onChange={(e) => setLanguage(e.target.value as Language)}>
        {Object.entries(LANGUAGES).map(([code, name]) => (
          <option key={code} value={code}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}

function Shell() {
  const { t, language } = useI18n();
  const session = useSyncExternalStore(subscribe, currentSession);
  const hash = useHash();
  useActivity();
  useEffect(() => {
    document.documentElement.lang = language === 'zh' ? 'zh-Hans' : language;
    document.title = t('app.title');
  }, [language, t]);

  const screen = screenOf(hash);
  const Current = screen.component;
  return (
    <>
      <header className="top">
        <h1>{t('app.title')}</h1>
        {session && (
          <nav aria-label={t('nav.label')}>
            <ul>
              {SCREENS.map((s) => (
                <li key={s.path}>
                  <a href={`#/${s.path}`} aria-current={s === screen ? 'page' : undefined}>
                    {t(s.label)}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <div className="who">
          <LanguagePicker />
          {session && (
            <>
              <span>{t('nav.signedInAs', { subject: session.subject, agency: session.agency })}</span>
              <button type="button" onClick={() => end('signedOut')}>
                {t('nav.signOut')}
              </button>
            </>
          )}
        </div>
      </header>
      <main>{session ? <Current session={session} /> : <SignIn ended={howItEnded()} />}</main>
    </>
  );
}

export function App() {
  return (
    <I18nProvider>
      <Shell />
    </I18nProvider>
  );
}

// The language of the page and the one way to read a message: `useT()` gives `t(key, values)`,
// which fills `{name}` placeholders. The language starts from the browser's preference and is
// changed with the selector in the header; it is not stored anywhere.
import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import { en, type MessageKey } from './messages.ts';
import { zh } from './messages-zh.ts';
import { es } from './messages-es.ts';

export const LANGUAGES = { en: 'English', zh: '简体中文', es: 'Español' } as const;
export type Language = keyof typeof LANGUAGES;
const catalogues = { en, zh, es } as const;

export type Values = Record<string, string | number>;
export type Translate = (key: MessageKey, values?: Values) => string;

/** A message with its placeholders filled; an unknown placeholder stays visible as `{name}`. */
export function format(language: Language, key: MessageKey, values: Values = {}): string {
  return catalogues[language][key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

export function preferredLanguage(languages: readonly string[]): Language {
  for (const tag of languages) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'zh' || base === 'es' || base === 'en') return base;
  }
  return 'en';
}

type I18n = { language: Language; setLanguage(language: Language): void; t: Translate };
const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [language, setLanguage] = useState<Language>(() => preferredLanguage(navigator.languages));
  const value = useMemo<I18n>(
    () => ({ language, setLanguage, t: (key, values) => format(language, key, values) }),
    [language],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}

export const useT = (): Translate => useI18n().t;

export const isMessageKey = (key: string): key is MessageKey => Object.hasOwn(en, key);

// How a screen says something went wrong (or right): a live region that screen readers
// announce, with the catalogue message of a GatewayError or SignInError.
import type { ReactNode } from 'react';
import { GatewayError } from '../gateway.ts';
import { useT } from '../i18n.tsx';
import { SignInError } from '../session.ts';

export function Alert({ error }: { error: unknown }) {
  const t = useT();
  if (!error) return null;
  const text =
    error instanceof GatewayError
      ? t(error.messageKey, error.values)
      : error instanceof SignInError
        ? t(error.messageKey)
        : t('error.server', { status: '?', detail: error instanceof Error ? error.message : String(error), requestId: '?' });
  return (
    <p role="alert" className="alert">
      {text}
    </p>
  );
}

export function Note({ children, tone = 'info' }: { children: ReactNode; tone?: 'info' | 'ok' | 'bad' }) {
  return (
    <p role="status" className={`note ${tone}`}>
      {children}
    </p>
  );
}

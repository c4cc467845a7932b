// Entry of the web console: mounts the app. Styles come from a file (no inline style), so the
// page's Content-Security-Policy needs no 'unsafe-inline'.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

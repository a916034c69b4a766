import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { initI18n, initialLocale } from './i18n.ts';
import './styles.css';

const locale = initialLocale();
initI18n(locale);

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <App initialLocale={locale} />
  </StrictMode>,
);

/*
 * Interface languages. All seven are bundled (a few kB each) so switching is instant and works
 * offline. The chosen language sets <html lang dir>; Arabic turns the whole layout right-to-left,
 * which the stylesheet follows through logical properties (margin-inline-start, inset-inline-end...).
 */
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import ar from './locales/ar.json' with { type: 'json' };
import en from './locales/en.json' with { type: 'json' };
import es from './locales/es.json' with { type: 'json' };
import fr from './locales/fr.json' with { type: 'json' };
import ja from './locales/ja.json' with { type: 'json' };
import ko from './locales/ko.json' with { type: 'json' };
import pt from './locales/pt.json' with { type: 'json' };

export const LOCALES = ['en', 'fr', 'es', 'pt', 'ja', 'ko', 'ar'] as const;
export type Locale = (typeof LOCALES)[number];

/** Each language in its own name (endonyms are never translated). */
export const LOCALE_NAMES: Record<Locale, string> = {
  en: 'English',
  fr: 'Français',
  es: 'Español',
  pt: 'Português',
  ja: '日本語',
  ko: '한국어',
  ar: 'العربية',
};

const RTL = new Set<string>(['ar']);
const STORAGE_KEY = 'tessera.locale';

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** The first supported language among BCP 47 tags (`pt-BR` matches `pt`), or undefined. */
export function matchLocale(tags: readonly string[]): Locale | undefined {
  for (const tag of tags) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLocale(base)) return base;
  }
  return undefined;
}

/** A language this person picked on this device, if any. */
export function storedLocale(): Locale | undefined {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return isLocale(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function storeLocale(locale: Locale): void {
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // Private mode or storage disabled: the choice lasts for this page only.
  }
}

const PICKED_SIGNED_OUT = 'tessera.locale.pickedSignedOut';

/** Remembers (across reloads) that the language was picked before signing in, so login saves it. */
export function notePickedSignedOut(picked: boolean): void {
  try {
    if (picked) localStorage.setItem(PICKED_SIGNED_OUT, '1');
    else localStorage.removeItem(PICKED_SIGNED_OUT);
  } catch {
    // Storage disabled: the account's language will win at login.
  }
}

export function pickedSignedOut(): boolean {
  try {
    return localStorage.getItem(PICKED_SIGNED_OUT) === '1';
  } catch {
    return false;
  }
}

/** Language at start: this device's pick, else the browser's languages, else English. */
export function initialLocale(): Locale {
  return storedLocale() ?? matchLocale(navigator.languages ?? [navigator.language]) ?? 'en';
}

/** Switches the interface language and the document's lang and direction. */
export function applyLocale(locale: Locale): void {
  void i18next.changeLanguage(locale);
  document.documentElement.lang = locale;
  document.documentElement.dir = RTL.has(locale) ? 'rtl' : 'ltr';
}

export function initI18n(locale: Locale): void {
  void i18next.use(initReactI18next).init({
    resources: {
      en: { translation: en },
      fr: { translation: fr },
      es: { translation: es },
      pt: { translation: pt },
      ja: { translation: ja },
      ko: { translation: ko },
      ar: { translation: ar },
    },
    lng: locale,
    fallbackLng: 'en',
    initAsync: false,
    // React escapes text itself.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  applyLocale(locale);
}

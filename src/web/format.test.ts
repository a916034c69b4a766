import { describe, expect, it } from 'vitest';
import { currencyDigits, decimalToMinor, formatDuration, formatMoney, impliedHourlyMinor, minorToDecimal } from './format.ts';
import { matchLocale } from './i18n.ts';
import { matchPath } from './router.tsx';
import { categoriesOf, categorizationAnswer, categorizationForm, pickInstructions } from './work.ts';

describe('money in minor units', () => {
  it('knows how many digits each currency has', () => {
    expect(currencyDigits('USD')).toBe(2);
    expect(currencyDigits('JPY')).toBe(0);
    expect(currencyDigits('KWD')).toBe(3);
  });

  it('turns minor units into an exact decimal string, never a float', () => {
    expect(minorToDecimal(1999, 2)).toBe('19.99');
    expect(minorToDecimal(5, 2)).toBe('0.05');
    expect(minorToDecimal(-5, 2)).toBe('-0.05');
    expect(minorToDecimal(500, 0)).toBe('500');
    expect(minorToDecimal(1, 3)).toBe('0.001');
    expect(minorToDecimal(900719925474099, 2)).toBe('9007199254740.99');
  });

  it('reads a typed amount back into minor units, with a dot or a comma', () => {
    expect(decimalToMinor('0.07', 2)).toBe(7);
    expect(decimalToMinor('0,07', 2)).toBe(7);
    expect(decimalToMinor('12', 2)).toBe(1200);
    expect(decimalToMinor('0.1', 2)).toBe(10);
    expect(decimalToMinor('500', 0)).toBe(500);
    expect(decimalToMinor('0.001', 2)).toBeUndefined();
    expect(decimalToMinor('-1', 2)).toBeUndefined();
    expect(decimalToMinor('abc', 2)).toBeUndefined();
  });

  it('formats money for the interface language', () => {
    expect(formatMoney(1999, 'USD', 'en')).toBe('$19.99');
    expect(formatMoney(500, 'JPY', 'ja')).toBe('￥500');
    expect(formatMoney(1999, 'EUR', 'fr').replace(/\s/g, ' ')).toBe('19,99 €');
    // Isolated in right-to-left text so the currency and the digits stay together.
    expect(formatMoney(7, 'USD', 'ar')).toMatch(/^\u2068.*0[.٫]07.*\u2069$/);
  });

  it('rounds the implied hourly rate down, so it is never overstated', () => {
    expect(impliedHourlyMinor(5, 12)).toBe(1500);
    expect(impliedHourlyMinor(7, 15)).toBe(1680);
    expect(impliedHourlyMinor(1, 7)).toBe(514);
    expect(impliedHourlyMinor(5, 0)).toBe(0);
  });

  it('words durations in the language', () => {
    expect(formatDuration(12, 'en')).toBe('12 seconds');
    expect(formatDuration(600, 'en')).toBe('10 minutes');
    expect(formatDuration(600, 'fr')).toBe('10 minutes');
    expect(formatDuration(12, 'ja')).toBe('12 秒');
  });
});

describe('language matching', () => {
  it('takes the first supported language of the browser list', () => {
    expect(matchLocale(['de-DE', 'pt-BR', 'en'])).toBe('pt');
    expect(matchLocale(['AR-eg'])).toBe('ar');
    expect(matchLocale(['de', 'it'])).toBeUndefined();
  });
});

describe('routes', () => {
  it('matches patterns and decodes parameters', () => {
    expect(matchPath('/projects/:name', '/projects/my%20proj')).toEqual({ name: 'my proj' });
    expect(matchPath('/projects/:name', '/projects/a?x=1')).toEqual({ name: 'a' });
    expect(matchPath('/projects/:name', '/projects')).toBeUndefined();
    expect(matchPath('/projects/new', '/projects/new')).toEqual({});
    expect(matchPath('/work/:p', '/work/%E0%A4%A')).toBeUndefined();
  });
});

describe('worker helpers', () => {
  const instructions = { en: 'English', fr: 'Français', 'pt-BR': 'Português' };

  it('shows instructions in the interface language, else a language the worker reads, else English, else the first', () => {
    expect(pickInstructions(instructions, 'fr')).toEqual(['fr', 'Français']);
    expect(pickInstructions(instructions, 'pt')).toEqual(['pt-BR', 'Português']);
    expect(pickInstructions(instructions, 'ja', ['ko', 'fr'])).toEqual(['fr', 'Français']);
    expect(pickInstructions(instructions, 'ja')).toEqual(['en', 'English']);
    expect(pickInstructions({ ko: '한국어' }, 'ja')).toEqual(['ko', '한국어']);
    expect(pickInstructions({ en: '  ', ar: 'عربي' }, 'fr')).toEqual(['ar', 'عربي']);
    expect(pickInstructions({}, 'en')).toBeUndefined();
  });

  it('builds the answer the shared response schema asks for', () => {
    const single = categorizationForm({ categories: ['cat', 'dog'], category_descriptions: { cat: 'Meows' } });
    expect(single).toEqual({ field: 'category', choices: ['cat', 'dog'], descriptions: { cat: 'Meows' } });
    expect(categorizationAnswer(single!, ['dog'])).toEqual({ category: 'dog' });
    const multiple = categorizationForm({ categories: ['a', 'b', 'c'], allow_multiple: true });
    expect(multiple?.field).toBe('categories');
    // Listed in the task's order, whatever order they were pressed in.
    expect(categorizationAnswer(multiple!, ['c', 'a'])).toEqual({ categories: ['a', 'c'] });
    expect(categorizationForm({ text: 'no categories' })).toBeUndefined();
  });

  it('reads single and multiple categorization answers', () => {
    expect(categoriesOf({ category: 'dog' })).toEqual(['dog']);
    expect(categoriesOf({ categories: ['a', 'b'] })).toEqual(['a', 'b']);
    expect(categoriesOf({ label: true })).toBeUndefined();
    expect(categoriesOf(null)).toBeUndefined();
  });
});

/*
 * Who is signed in and which language the interface speaks, shared by every page.
 */
import { createContext, useContext } from 'react';
import type { Role, User } from './api.ts';
import type { Locale } from './i18n.ts';

export interface AppState {
  user: User | null;
  /** After login, a user edit, or logout (null). */
  setUser(user: User | null): void;
  locale: Locale;
  /** Switches the language, and saves it to the account when signed in. */
  setLocale(locale: Locale): void;
}

export const AppContext = createContext<AppState | null>(null);

export function useApp(): AppState {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp outside <AppContext>');
  return value;
}

/** The signed-in user (pages behind the login gate only). */
export function useUser(): User {
  const { user } = useApp();
  if (!user) throw new Error('useUser on a page shown without a user');
  return user;
}

/** True when the role may act as `wanted` (admins may do everything). */
export function hasRole(user: User | null, ...wanted: Role[]): boolean {
  return !!user && (user.role === 'admin' || wanted.includes(user.role));
}

/** Where a role lands after login. */
export function homeFor(user: User): string {
  if (user.role === 'reviewer') return '/review';
  return user.role === 'requester' || user.role === 'admin' ? '/projects' : '/work';
}

import { useTranslation } from 'react-i18next';
import { ApiError, NETWORK_ERROR } from '../api.ts';

/** The message of an error as a person should read it: the server's message, or ours when it never answered. */
export function useErrorText(): (error: unknown) => string {
  const { t } = useTranslation();
  return (error: unknown) => {
    if (error instanceof ApiError) {
      if (error.code === NETWORK_ERROR) return t('errors.network');
      return error.message;
    }
    return t('errors.unexpected');
  };
}

/** An error announced to screen readers, with its stable code kept in a data attribute for tests. */
export function ErrorNote({ error }: { error: unknown }) {
  const text = useErrorText();
  if (!error) return null;
  const code = error instanceof ApiError ? error.code : 'unexpected';
  return (
    <p className="note note-error" role="alert" data-code={code}>
      {text(error)}
    </p>
  );
}

import { isApiError } from '../api/http.js';

/** An error as the server put it, with the code and request id to quote when reporting it. */
export function ErrorNote({ error, testId }: { error: unknown; testId?: string }) {
  const message = error instanceof Error ? error.message : String(error);
  return (
    <p className="lib-error" role="alert" data-testid={testId ?? 'error'}>
      <span className="lib-error-message">{message}</span>
      {isApiError(error) && (
        <span className="lib-error-meta">
          {' '}
          <code data-testid="error-code">{error.code}</code>
          {error.requestId !== null && (
            <>
              {' · request '}
              <code data-testid="error-request-id">{error.requestId}</code>
            </>
          )}
        </span>
      )}
    </p>
  );
}

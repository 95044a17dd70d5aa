import { EmptyState, ErrorAlert, Loading } from '@/components/ui';
import { useApiKeys } from '../api/get-api-keys';
import { ApiKeyRow } from './api-key-row';
import '../api-keys.css';

export function ApiKeysTable() {
  const keys = useApiKeys();
  if (keys.isPending) return <Loading label="Loading keys…" />;
  if (keys.isLoadingError) return <ErrorAlert error={keys.error} />;
  const items = keys.data.pages.flatMap((page) => page.items);
  if (items.length === 0) return <EmptyState title="No API keys yet">Create one above for a program that calls the API.</EmptyState>;

  return (
    <div className="stack">
      <div className="table-wrap">
        <table className="api-keys-table">
          <caption className="sr-only">API keys</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Key</th>
              <th scope="col">Scopes</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Expires</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {items.map((key) => (
              <ApiKeyRow key={key.key_id} apiKey={key} />
            ))}
          </tbody>
        </table>
      </div>
      {keys.isFetchNextPageError && <ErrorAlert error={keys.error} />}
      {keys.hasNextPage && (
        <button type="button" className="secondary" disabled={keys.isFetchingNextPage} onClick={() => keys.fetchNextPage()}>
          {keys.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
    </div>
  );
}

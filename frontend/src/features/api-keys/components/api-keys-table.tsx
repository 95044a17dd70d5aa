import { PagedTable } from '@/components/paged-table';
import { EmptyState } from '@/components/ui';
import { useApiKeys } from '../api/get-api-keys';
import { ApiKeyRow } from './api-key-row';
import '../api-keys.css';

export function ApiKeysTable() {
  return (
    <PagedTable
      query={useApiKeys()}
      caption="API keys"
      columns={['Name', 'Key', 'Scopes', 'Created', 'Last used', 'Expires', 'Actions']}
      empty={<EmptyState title="No API keys yet">Create one above for a program that calls the API.</EmptyState>}
      loadingLabel="Loading keys…"
      className="api-keys-table"
      row={(key) => <ApiKeyRow key={key.key_id} apiKey={key} />}
    />
  );
}

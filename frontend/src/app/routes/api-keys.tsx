import { PageHeader } from '@/components/ui';
import { ApiKeysTable } from '@/features/api-keys/components/api-keys-table';
import { CreateApiKeyForm } from '@/features/api-keys/components/create-api-key-form';

export default function ApiKeysRoute() {
  return (
    <>
      <PageHeader title="API keys" />
      <section className="panel stack" aria-labelledby="create-key">
        <h2 id="create-key">Create a key</h2>
        <CreateApiKeyForm />
      </section>
      <ApiKeysTable />
    </>
  );
}

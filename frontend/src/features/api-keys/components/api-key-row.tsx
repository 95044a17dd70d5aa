import { ConfirmButton, ErrorAlert, RelativeTime } from '@/components/ui';
import { formatDate, formatDateTime } from '@/lib/format';
import type { ApiKeyView } from '../api/get-api-keys';
import { useRevokeApiKey } from '../api/revoke-api-key';

const never = <span className="muted">never</span>;

export function ApiKeyRow({ apiKey }: { apiKey: ApiKeyView }) {
  const revoke = useRevokeApiKey();
  const expired = !!apiKey.expires_at && new Date(apiKey.expires_at) < new Date();
  return (
    <>
      <tr>
        <td>{apiKey.name}</td>
        <td>
          <code>
            {apiKey.prefix}…{apiKey.last4}
          </code>
        </td>
        <td>
          <span className="scope-list">
            {apiKey.scopes.map((scope) => (
              <span key={scope} className="badge">
                {scope}
              </span>
            ))}
          </span>
        </td>
        <td>{formatDate(apiKey.created_at)}</td>
        <td>{apiKey.last_used_at ? <RelativeTime iso={apiKey.last_used_at} /> : never}</td>
        <td>
          {apiKey.expires_at ? formatDateTime(apiKey.expires_at) : never}
          {expired && <span className="badge">Expired</span>}
        </td>
        <td>
          <ConfirmButton
            disabled={revoke.isPending}
            question={`Revoke the key “${apiKey.name}”? Anything using it stops working at once.`}
            onConfirm={() => revoke.mutate(apiKey.key_id)}
          >
            Revoke <span className="sr-only">{apiKey.name}</span>
          </ConfirmButton>
        </td>
      </tr>
      {revoke.error && (
        <tr>
          <td colSpan={7}>
            <ErrorAlert error={revoke.error} />
          </td>
        </tr>
      )}
    </>
  );
}

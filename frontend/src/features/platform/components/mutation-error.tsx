import { ErrorAlert } from '@/components/ui';

/** A failed change's reason, right where it was made. */
export function MutationError({ error }: { error: unknown }) {
  return error ? <ErrorAlert error={error} /> : null;
}

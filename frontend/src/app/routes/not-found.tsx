import { Link } from 'react-router';
import { EmptyState } from '@/components/ui';

export default function NotFound() {
  return (
    <EmptyState title="Page not found">
      <Link to="/">Go to the start page</Link>
    </EmptyState>
  );
}

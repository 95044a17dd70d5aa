// A list the API pages (`{items, next_cursor}`) shown as a table: loading,
// error and empty states, the header row, and "Load more" in one place.
import type { InfiniteData, UseInfiniteQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ErrorAlert, Loading } from './ui';

export type PagedQuery<T> = UseInfiniteQueryResult<InfiniteData<{ items: T[]; next_cursor?: string | null }>>;

interface PagedTableProps<T> {
  query: PagedQuery<T>;
  /** Read by screen readers; says what the rows are and their order. */
  caption: string;
  /** Column headings; an empty string is an unlabelled actions column. */
  columns: string[];
  empty: ReactNode;
  loadingLabel?: string;
  className?: string;
  row: (item: T) => ReactNode;
}

export function PagedTable<T>({ query, caption, columns, empty, loadingLabel, className, row }: PagedTableProps<T>) {
  if (query.isPending) return <Loading label={loadingLabel} />;
  if (query.isLoadingError) return <ErrorAlert error={query.error} />;
  const items = query.data.pages.flatMap((page) => page.items);
  if (items.length === 0) return empty;

  return (
    <div className="stack">
      <div className="table-wrap">
        <table className={className}>
          <caption className="sr-only">{caption}</caption>
          <thead>
            <tr>
              {columns.map((column, index) => (
                <th key={index} scope="col">
                  {column || <span className="sr-only">Actions</span>}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>{items.map(row)}</tbody>
        </table>
      </div>
      {query.isFetchNextPageError && <ErrorAlert error={query.error} />}
      <LoadMore query={query} />
    </div>
  );
}

/** The next page of any paged list, on request. */
export function LoadMore({
  query,
  label = 'Load more',
}: {
  query: Pick<PagedQuery<unknown>, 'hasNextPage' | 'isFetchingNextPage' | 'fetchNextPage'>;
  label?: string;
}) {
  if (!query.hasNextPage) return null;
  return (
    <div className="row">
      <button
        type="button"
        className="secondary"
        disabled={query.isFetchingNextPage}
        onClick={() => query.fetchNextPage()}
      >
        {query.isFetchingNextPage ? 'Loading…' : label}
      </button>
    </div>
  );
}

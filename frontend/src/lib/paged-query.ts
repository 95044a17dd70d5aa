// Query options for a list the API pages with `?limit=&cursor=`: each page's
// `next_cursor` is the next page's parameter, absent after the last.
import { infiniteQueryOptions, type QueryKey } from '@tanstack/react-query';

export const PAGE_SIZE = 50;

export interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}

export function pagedQuery<T>(queryKey: QueryKey, fetchPage: (cursor?: string) => Promise<Page<T>>) {
  return infiniteQueryOptions({
    queryKey,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page: Page<T>) => page.next_cursor ?? undefined,
  });
}

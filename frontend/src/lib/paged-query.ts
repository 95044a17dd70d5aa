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

/** Every page of a list, read in turn (for lists short enough to show whole). */
export async function allPages<T>(fetchPage: (cursor?: string) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    items.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return items;
}

import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { components } from '@/types/api';

export type UserView = components['schemas']['UserView'];
export type Role = components['schemas']['Role'];
export type UserStatus = components['schemas']['UserStatus'];

const PAGE_SIZE = 50;

export const getUsers = (cursor?: string) => unwrap(api.GET('/api/v1/users', { params: { query: { limit: PAGE_SIZE, cursor } } }));

export const usersQuery = () =>
  infiniteQueryOptions({
    queryKey: ['users'],
    queryFn: ({ pageParam }) => getUsers(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });

/** The tenant's users, a page at a time. */
export const useUsers = () => useInfiniteQuery(usersQuery());

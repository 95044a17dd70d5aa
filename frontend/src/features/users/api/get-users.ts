import { useInfiniteQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { PAGE_SIZE, pagedQuery } from '@/lib/paged-query';
import type { components } from '@/types/api';

export type UserView = components['schemas']['UserView'];
export type Role = components['schemas']['Role'];
export type UserStatus = components['schemas']['UserStatus'];

export const getUsers = (cursor?: string) =>
  unwrap(api.GET('/api/v1/users', { params: { query: { limit: PAGE_SIZE, cursor } } }));

export const usersQuery = () => pagedQuery(['users'], getUsers);

/** The tenant's users, a page at a time. */
export const useUsers = () => useInfiniteQuery(usersQuery());

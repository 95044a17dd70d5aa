import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { components } from '@/types/api';
import { usersQuery } from './get-users';

export type CreateUserInput = components['schemas']['CreateUser'];
export type CreatedUser = components['schemas']['CreatedUser'];

export const createUser = (body: CreateUserInput) => unwrap(api.POST('/api/v1/users', { body }));

/** Adds a user; the answer carries a one-time invite token when no password was given. */
export function useCreateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: createUser,
    // The answer may hold an invite token: drop the finished mutation from the cache as soon as the form lets go of it.
    gcTime: 0,
    onSuccess: () => client.invalidateQueries({ queryKey: usersQuery().queryKey }),
  });
}

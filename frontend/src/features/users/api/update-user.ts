import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { components } from '@/types/api';
import { usersQuery } from './get-users';

export type UpdateUserInput = components['schemas']['UpdateUser'];

export const updateUser = ({ userId, ...body }: UpdateUserInput & { userId: string }) =>
  unwrap(api.PATCH('/api/v1/users/{user_id}', { params: { path: { user_id: userId } }, body }));

/** Changes a user's role or status (never the signed-in admin's own: the server refuses). */
export function useUpdateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: updateUser,
    onSuccess: () => client.invalidateQueries({ queryKey: usersQuery().queryKey }),
  });
}

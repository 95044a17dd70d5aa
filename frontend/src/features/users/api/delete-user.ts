import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { usersQuery } from './get-users';

export const deleteUser = (userId: string) =>
  unwrap(api.DELETE('/api/v1/users/{user_id}', { params: { path: { user_id: userId } } }));

export function useDeleteUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: deleteUser,
    onSuccess: () => client.invalidateQueries({ queryKey: usersQuery().queryKey }),
  });
}

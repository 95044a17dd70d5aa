import { ErrorAlert, Loading, PageHeader } from '@/components/ui';
import { useMe } from '@/features/auth/api/get-me';
import { CreateUserForm } from '@/features/users/components/create-user-form';
import { UsersTable } from '@/features/users/components/users-table';

export default function UsersRoute() {
  const me = useMe();
  return (
    <>
      <PageHeader title="Users" />
      <section className="panel stack" aria-labelledby="add-user">
        <h2 id="add-user">Add a user</h2>
        <CreateUserForm />
      </section>
      {me.data ? (
        <UsersTable currentUserId={me.data.user.user_id} />
      ) : me.isError ? (
        <ErrorAlert error={me.error} />
      ) : (
        <Loading />
      )}
    </>
  );
}

import { Link, useLocation, useNavigate } from 'react-router';
import { LoginForm } from '@/features/auth/components/login-form';
import { AuthPage } from './auth-page';

export function LoginRoute() {
  const navigate = useNavigate();
  const from = (useLocation().state as { from?: string } | null)?.from ?? '/';
  return (
    <AuthPage title="Log in">
      <LoginForm onSignedIn={() => navigate(from, { replace: true })} />
      <p>
        New here? <Link to="/signup">Create a workspace</Link>
      </p>
    </AuthPage>
  );
}

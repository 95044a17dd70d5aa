import { Link, useLocation, useNavigate } from 'react-router';
import { LoginForm } from '@/features/auth/components/login-form';

export function LoginRoute() {
  const navigate = useNavigate();
  const from = (useLocation().state as { from?: string } | null)?.from ?? '/';
  return (
    <main className="auth-page">
      <h1>Log in</h1>
      <LoginForm onSignedIn={() => navigate(from, { replace: true })} />
      <p>
        New here? <Link to="/signup">Create a workspace</Link>
      </p>
    </main>
  );
}

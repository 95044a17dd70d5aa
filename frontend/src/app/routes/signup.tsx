import { Link, useNavigate } from 'react-router';
import { SignupForm } from '@/features/auth/components/signup-form';

export function SignupRoute() {
  const navigate = useNavigate();
  return (
    <main className="auth-page">
      <h1>Create your workspace</h1>
      <SignupForm onSignedUp={() => navigate('/', { replace: true })} />
      <p>
        Already have an account? <Link to="/login">Log in</Link>
      </p>
    </main>
  );
}

import { Link, useNavigate } from 'react-router';
import { SignupForm } from '@/features/auth/components/signup-form';
import { AuthPage } from './auth-page';

export function SignupRoute() {
  const navigate = useNavigate();
  return (
    <AuthPage title="Create your workspace">
      <SignupForm onSignedUp={() => navigate('/', { replace: true })} />
      <p>
        Already have an account? <Link to="/login">Log in</Link>
      </p>
    </AuthPage>
  );
}

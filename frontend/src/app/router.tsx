import { type ComponentType, lazy, type ReactNode, Suspense } from 'react';
import { createBrowserRouter, Navigate } from 'react-router';
import { Loading } from '@/components/ui';
import { useMe } from '@/features/auth/api/get-me';
import { RequirePermission, RequireSignedOut, RequireSignIn } from './guards';
import { AppLayout } from './layout';
import { homeFor, type NavItem } from './nav';
import { AcceptInviteRoute } from './routes/accept-invite';
import { LoginRoute } from './routes/login';
import { SignupRoute } from './routes/signup';

// Screens load on first visit, so the sign-in page stays small.
const screen = (load: () => Promise<{ default: ComponentType }>) => {
  const Screen = lazy(load);
  return (
    <Suspense fallback={<Loading />}>
      <Screen />
    </Suspense>
  );
};
const gated = (needs: NavItem['needs'], element: ReactNode) => (
  <RequirePermission needs={needs}>{element}</RequirePermission>
);

function Home() {
  const me = useMe();
  if (me.isPending) return <Loading />;
  return <Navigate to={homeFor(me.data)} replace />;
}

export const router = createBrowserRouter([
  {
    path: '/login',
    element: (
      <RequireSignedOut>
        <LoginRoute />
      </RequireSignedOut>
    ),
  },
  {
    path: '/signup',
    element: (
      <RequireSignedOut>
        <SignupRoute />
      </RequireSignedOut>
    ),
  },
  {
    path: '/accept-invite',
    element: (
      <RequireSignedOut>
        <AcceptInviteRoute />
      </RequireSignedOut>
    ),
  },
  {
    element: (
      <RequireSignIn>
        <AppLayout />
      </RequireSignIn>
    ),
    children: [
      { index: true, element: <Home /> },
      // One route for a new and an open conversation, so the first answer's session keeps the screen mounted.
      {
        path: 'chat/:sessionId?',
        element: gated(
          'chat',
          screen(() => import('./routes/chat')),
        ),
      },
      {
        path: 'history',
        element: gated(
          'sessions_read',
          screen(() => import('./routes/history')),
        ),
      },
      {
        path: 'history/:sessionId',
        element: gated(
          'sessions_read',
          screen(() => import('./routes/session-view')),
        ),
      },
      {
        path: 'agents',
        element: gated(
          'agents_read',
          screen(() => import('./routes/agents')),
        ),
      },
      {
        path: 'agents/new',
        element: gated(
          'agents_manage',
          screen(() => import('./routes/agent-edit')),
        ),
      },
      {
        path: 'agents/:agentId',
        element: gated(
          'agents_manage',
          screen(() => import('./routes/agent-edit')),
        ),
      },
      {
        path: 'tools',
        element: gated(
          'tenant_manage',
          screen(() => import('./routes/tools')),
        ),
      },
      {
        path: 'tools/new',
        element: gated(
          'tenant_manage',
          screen(() => import('./routes/tool-edit')),
        ),
      },
      {
        path: 'tools/:toolId',
        element: gated(
          'tenant_manage',
          screen(() => import('./routes/tool-edit')),
        ),
      },
      {
        path: 'settings/workspace',
        element: gated(
          'tenant_manage',
          screen(() => import('./routes/workspace-settings')),
        ),
      },
      {
        path: 'settings/llm',
        element: gated(
          'tenant_manage',
          screen(() => import('./routes/llm-settings')),
        ),
      },
      {
        path: 'admin/users',
        element: gated(
          'users_manage',
          screen(() => import('./routes/users')),
        ),
      },
      {
        path: 'admin/api-keys',
        element: gated(
          'api_keys_manage',
          screen(() => import('./routes/api-keys')),
        ),
      },
      {
        path: 'admin/usage',
        element: gated(
          'tenant_manage',
          screen(() => import('./routes/usage')),
        ),
      },
      {
        path: 'platform/tenants',
        element: gated(
          'platform',
          screen(() => import('./routes/platform-tenants')),
        ),
      },
      { path: 'account', element: screen(() => import('./routes/account')) },
      { path: '*', element: screen(() => import('./routes/not-found')) },
    ],
  },
]);

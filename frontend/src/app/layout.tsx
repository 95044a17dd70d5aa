import { useEffect, useRef, useState } from 'react';
import { NavLink, Outlet, useMatches, useNavigate } from 'react-router';
import { useMe } from '@/features/auth/api/get-me';
import { useLogout } from '@/features/auth/api/logout';
import { OPERATOR_LABEL, PRODUCT, roleLabel } from '@/lib/labels';
import { allowed, NAV } from './nav';

/** The signed-in frame: menu (a drawer on phones), who is signed in, log out. */
export function AppLayout() {
  const me = useMe();
  const logout = useLogout();
  const navigate = useNavigate();
  const [menuOpen, setMenuOpen] = useState(false);
  const main = useFocusOnNewScreen();
  const items = NAV.filter((item) => allowed(me.data, item.needs));
  const who = me.data?.user;

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button
          type="button"
          className="menu-toggle secondary"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setMenuOpen((open) => !open)}
        >
          Menu
        </button>
        <span className="brand">{PRODUCT}</span>
        <span className="tenant-name">{me.data?.tenant?.name ?? (me.data?.platform_admin ? 'Platform' : '')}</span>
        <span className="spacer" />
        {who && (
          <NavLink to="/account" className="who" title="Your account">
            {who.email}{' '}
            <span className="badge">{me.data?.platform_admin ? OPERATOR_LABEL : who.role && roleLabel(who.role)}</span>
          </NavLink>
        )}
        <button
          type="button"
          className="secondary"
          disabled={logout.isPending}
          onClick={() => logout.mutate(undefined, { onSettled: () => navigate('/login', { replace: true }) })}
        >
          Log out
        </button>
      </header>
      <nav
        id="main-nav"
        aria-label="Main"
        className={menuOpen ? 'sidenav open' : 'sidenav'}
        onClick={() => setMenuOpen(false)}
      >
        <ul>
          {items.map((item) => (
            <li key={item.to}>
              <NavLink to={item.to}>{item.label}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1} ref={main}>
        <Outlet />
      </main>
    </div>
  );
}

/**
 * Moves focus to the content when another screen (route) opens, so keyboard
 * and screen-reader users start there instead of wherever the last screen
 * left them. Moves within a screen (a chat getting its session id) keep focus.
 */
function useFocusOnNewScreen() {
  const main = useRef<HTMLElement>(null);
  const screen = useMatches().at(-1)?.id;
  const previous = useRef(screen);
  useEffect(() => {
    if (previous.current !== screen) main.current?.focus({ preventScroll: true });
    previous.current = screen;
  }, [screen]);
  return main;
}

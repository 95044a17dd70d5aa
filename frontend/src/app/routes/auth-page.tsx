import { type ReactNode, useEffect } from 'react';
import { PRODUCT } from '@/lib/labels';

/** The signed-out pages' frame: the product's name, then what the page is for (also in the tab's title). */
export function AuthPage({ title, children }: { title: string; children: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · ${PRODUCT}`;
    return () => {
      document.title = PRODUCT;
    };
  }, [title]);
  return (
    <main className="auth-page">
      <p className="brand auth-brand">{PRODUCT}</p>
      <h1>{title}</h1>
      {children}
    </main>
  );
}

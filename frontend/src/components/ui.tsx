// Small building blocks every screen uses, so forms, errors, loading and
// empty states look and behave the same everywhere.
import {
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
  useId,
  useState,
} from 'react';
import { formatDateTime, formatRelative } from '@/lib/format';
import { describeError } from '@/lib/problem';

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="page-header">
      <h1>{title}</h1>
      {children && <div className="page-actions">{children}</div>}
    </header>
  );
}

type FieldProps = { label: string; hint?: string; error?: string };

export function TextField({ label, hint, error, ...input }: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={hint ? `${id}-hint` : undefined}
        {...input}
      />
      {hint && <small id={`${id}-hint`}>{hint}</small>}
      {error && <small className="field-error">{error}</small>}
    </div>
  );
}

export function TextArea({ label, hint, error, ...input }: FieldProps & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const id = useId();
  const describedBy = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
        {...input}
      />
      {hint && <small id={`${id}-hint`}>{hint}</small>}
      {error && (
        <small id={`${id}-error`} className="field-error">
          {error}
        </small>
      )}
    </div>
  );
}

export function SelectField({
  label,
  hint,
  children,
  ...select
}: FieldProps & SelectHTMLAttributes<HTMLSelectElement>) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} aria-describedby={hint ? `${id}-hint` : undefined} {...select}>
        {children}
      </select>
      {hint && <small id={`${id}-hint`}>{hint}</small>}
    </div>
  );
}

export function ErrorAlert({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <div role="alert" className="alert alert-error">
      {describeError(error)}
    </div>
  );
}

/** A moment as people say it ("3 hours ago"); the exact date and time on hover, and for machines. */
export function RelativeTime({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={formatDateTime(iso)}>
      {formatRelative(iso)}
    </time>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <div role="status" className="alert alert-info">
      {children}
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label}
    </p>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty-title">{title}</p>
      {children}
    </div>
  );
}

/** Copies text and says so, for secrets shown once. */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="secondary"
      onClick={async () => {
        await navigator.clipboard?.writeText(text).catch(() => undefined);
        setCopied(true);
        setTimeout(() => setCopied(false), 2000);
      }}
    >
      {copied ? 'Copied' : label}
    </button>
  );
}

/** A button that asks once more before a destructive action. */
export function ConfirmButton({
  onConfirm,
  children,
  question,
  disabled,
}: {
  onConfirm: () => void;
  children: ReactNode;
  question: string;
  disabled?: boolean;
}) {
  return (
    <button
      type="button"
      className="danger"
      disabled={disabled}
      onClick={() => window.confirm(question) && onConfirm()}
    >
      {children}
    </button>
  );
}

/** A secret shown this once (a new API key, an invite link); "Done" discards the only copy the page has. */
export function SecretOnce({
  label,
  intro,
  secret,
  copyLabel,
  onDone,
  children,
}: {
  label: string;
  intro: ReactNode;
  secret: string;
  copyLabel: string;
  onDone: () => void;
  children?: ReactNode;
}) {
  return (
    <section className="panel stack secret-once" aria-label={label}>
      <p>{intro}</p>
      <code className="secret">{secret}</code>
      <p className="muted">It is shown only this once and cannot be shown again.</p>
      <div className="row">
        <CopyButton text={secret} label={copyLabel} />
        {children}
        <button type="button" onClick={onDone}>
          Done
        </button>
      </div>
    </section>
  );
}

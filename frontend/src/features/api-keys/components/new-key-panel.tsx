import { CopyButton } from '@/components/ui';

/** The full key, shown once; "Done" discards the only copy the page has. */
export function NewKeyPanel({ name, secret, onDone }: { name: string; secret: string; onDone: () => void }) {
  return (
    <section className="panel stack new-key" aria-label="New API key">
      <p>
        Key <strong>{name}</strong> is ready. Copy it now: it is shown only this once and cannot be shown again.
      </p>
      <code className="secret">{secret}</code>
      <div className="row">
        <CopyButton text={secret} label="Copy key" />
        <button type="button" onClick={onDone}>
          Done
        </button>
      </div>
    </section>
  );
}

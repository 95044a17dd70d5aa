import { ErrorAlert, Notice } from '@/components/ui';
import { useTestLlm } from '../api/test-llm';

/** Asks the saved provider for a tiny answer and says how it went. */
export function ConnectionTest() {
  const test = useTestLlm();
  const result = test.data;
  return (
    <section className="stack" aria-labelledby="llm-test">
      <h2 id="llm-test">Test connection</h2>
      <p className="muted">Tests the saved settings: save your changes first.</p>
      <div className="row">
        <button type="button" className="secondary" disabled={test.isPending} onClick={() => test.mutate()}>
          {test.isPending ? 'Testing…' : 'Test connection'}
        </button>
      </div>
      <ErrorAlert error={test.error} />
      {result?.ok && (
        <Notice>
          Connected: {result.provider} / {result.model} answered in {result.latency_ms} ms
          {result.reply ? <> (“{result.reply}”)</> : null}.
        </Notice>
      )}
      {result && !result.ok && (
        <div role="alert" className="alert alert-error">
          {result.provider} / {result.model} failed after {result.latency_ms} ms:{' '}
          <code>{result.error?.code ?? 'error'}</code> {result.error?.message}
        </div>
      )}
    </section>
  );
}

import type { ReactNode } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';
import rehypeHighlight from 'rehype-highlight';
import remarkGfm from 'remark-gfm';

// Model output is untrusted: react-markdown renders no raw HTML, links open
// outside the app without handing it the opener, and an image is only a link
// to it: loading it would tell its host who read the answer, and when.
const Link = ({ href, children }: { href?: string; children: ReactNode }) => (
  <a href={href} target="_blank" rel="noopener noreferrer">
    {children}
  </a>
);

const components: Components = {
  a: ({ href, children }) => <Link href={href}>{children}</Link>,
  img: ({ src, alt }) => {
    const url = typeof src === 'string' ? src : undefined;
    const label = alt || url || 'image';
    return url ? <Link href={url}>{label}</Link> : <span>{label}</span>;
  },
};

export function Markdown({ text }: { text: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown
        remarkPlugins={[remarkGfm]}
        rehypePlugins={[[rehypeHighlight, { detect: false, ignoreMissing: true }]]}
        components={components}
      >
        {text}
      </ReactMarkdown>
    </div>
  );
}

import { lazy, Suspense, type ReactNode } from 'react';

// marked + DOMPurify load only when a description is shown (kept out of the first page's JavaScript).
const MarkdownRender = lazy(() => import('./markdown-render'));

/** Renders Markdown (descriptions, notes); sanitised HTML. Plain text shows while the renderer loads. */
export function Markdown({ text }: { text: string }): ReactNode {
  return (
    <Suspense fallback={<div className="markdown wrap">{text}</div>}>
      <MarkdownRender text={text} />
    </Suspense>
  );
}

import DOMPurify from 'dompurify';
import { marked } from 'marked';
import { useMemo, type ReactNode } from 'react';

/** Renders Markdown (descriptions, notes); the HTML is sanitised, links open in a new tab. */
export default function MarkdownRender({ text }: { text: string }): ReactNode {
  const html = useMemo(() => {
    const raw = marked.parse(text, { async: false, gfm: true, breaks: true });
    return DOMPurify.sanitize(raw, { ADD_ATTR: ['target'] });
  }, [text]);
  return <div className="markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}

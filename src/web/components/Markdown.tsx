import ReactMarkdown, { defaultUrlTransform } from 'react-markdown';

/**
 * Markdown written by requesters or carried by tasks. Raw HTML is dropped (skipHtml), and link
 * targets go through react-markdown's safe URL filter, so instructions cannot run script.
 */
export function Markdown({ children, className }: { children: string; className?: string }) {
  return (
    <div className={`markdown ${className ?? ''}`} dir="auto">
      <ReactMarkdown
        skipHtml
        urlTransform={defaultUrlTransform}
        components={{
          a: ({ node: _node, ...props }) => <a {...props} target="_blank" rel="noopener noreferrer" />,
        }}
      >
        {children}
      </ReactMarkdown>
    </div>
  );
}

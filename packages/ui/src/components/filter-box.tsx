import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { suggestKeys, type KeySets } from '../lib/runs';

/** The MLflow filter grammar in a search box, with autocomplete of metric/param/tag/attribute keys. */
export function FilterBox({
  value,
  keys,
  onApply,
}: {
  value: string;
  keys: KeySets;
  onApply: (filter: string) => void;
}): ReactNode {
  const [text, setText] = useState(value);
  const [lastValue, setLastValue] = useState(value);
  const [cursor, setCursor] = useState(0);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const inputRef = useRef<HTMLInputElement>(null);
  const listId = useId();
  useEffect(() => {
    // "/" focuses the filter box from anywhere on the page (not while typing elsewhere).
    const onKey = (e: globalThis.KeyboardEvent): void => {
      const t = e.target as HTMLElement | null;
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable)) return;
      e.preventDefault();
      inputRef.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  if (value !== lastValue) {
    setLastValue(value);
    setText(value);
  }
  const sugg = suggestKeys(text, cursor, keys);
  const showList = open && sugg.items.length > 0;

  const accept = (item: string): void => {
    const next = text.slice(0, sugg.start) + item + ' ' + text.slice(sugg.end).replace(/^\s*/, '');
    setText(next);
    setOpen(false);
    const pos = sugg.start + item.length + 1;
    requestAnimationFrame(() => {
      inputRef.current?.setSelectionRange(pos, pos);
      setCursor(pos);
    });
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>): void => {
    if (showList) {
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        setActive((a) => (a + 1) % sugg.items.length);
        return;
      }
      if (e.key === 'ArrowUp') {
        e.preventDefault();
        setActive((a) => (a - 1 + sugg.items.length) % sugg.items.length);
        return;
      }
      if (e.key === 'Tab' || (e.key === 'Enter' && active >= 0 && sugg.items[active])) {
        const item = sugg.items[active];
        if (item) {
          e.preventDefault();
          accept(item);
          return;
        }
      }
      if (e.key === 'Escape') {
        // Close the list without letting the search input clear itself.
        e.preventDefault();
        setOpen(false);
        return;
      }
    }
    if (e.key === 'Enter') {
      e.preventDefault();
      setOpen(false);
      onApply(text.trim());
    }
  };
  return (
    <div className="filter-box">
      <input
        ref={inputRef}
        type="search"
        role="combobox"
        aria-label="Filter runs"
        aria-expanded={showList}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={showList ? `${listId}-${active}` : undefined}
        placeholder="metrics.rmse < 1 and params.model = 'tree' and tags.team = 'a'   (press / to focus)"
        value={text}
        spellCheck={false}
        onChange={(e) => {
          setText(e.target.value);
          setCursor(e.target.selectionStart ?? e.target.value.length);
          setOpen(true);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
        onClick={(e) => setCursor(e.currentTarget.selectionStart ?? 0)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
      />
      <button type="button" onClick={() => onApply(text.trim())}>
        Search
      </button>
      {value ? (
        <button type="button" onClick={() => onApply('')}>
          Clear
        </button>
      ) : null}
      {showList ? (
        <ul id={listId} role="listbox" className="suggestions" aria-label="Filter keys">
          {sugg.items.map((item, i) => (
            <li
              key={item}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : undefined}
              onMouseDown={(e) => {
                e.preventDefault();
                accept(item);
              }}
            >
              {item}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

// A cell whose value names an ERP record (a tax code, a warehouse, a payment method): chosen from the ERP's own list
// with a search, not typed free. A value the ERP does not have (from an older version or a CSV) shows as such.
import { useEffect, useRef, useState } from 'react';
import type { ErpReference } from '../api/lookups.ts';
import './reference-picker.css';

interface Props {
  label: string;
  value: string;
  items: ErpReference[];
  /** Where the list comes from, e.g. "Sandbox ERP". */
  source: string;
  disabled: boolean;
  onPick(code: string): void;
}

export function ReferencePicker({ label, value, items, source, disabled, onPick }: Props) {
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState('');
  const box = useRef<HTMLDivElement>(null);
  const current = items.find((i) => i.code === value);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => !box.current?.contains(e.target as Node) && setOpen(false);
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);
  const needle = q.trim().toLowerCase();
  const shown = items.filter((i) => !needle || i.code.toLowerCase().includes(needle) || i.name.toLowerCase().includes(needle));
  const pick = (code: string) => {
    onPick(code);
    setOpen(false);
    setQ('');
  };
  return (
    <div className="ref-picker" ref={box}>
      <button
        type="button"
        className={`ref-value ${value && !current ? 'unknown' : ''}`}
        aria-label={label}
        aria-haspopup="listbox"
        aria-expanded={open}
        disabled={disabled}
        onClick={() => setOpen(!open)}
        title={value && !current ? `${value} is not in ${source}` : current?.name}
      >
        {value ? (
          <>
            <code>{value}</code> <span className="muted small">{current ? current.name : `not in ${source}`}</span>
          </>
        ) : (
          <span className="muted">choose…</span>
        )}
      </button>
      {open && (
        <div className="ref-menu card" role="dialog" aria-label={`Choose from ${source}`}>
          <input /* biome-ignore lint/a11y/noAutofocus: focus moves into the menu the person just opened, to its search (the WAI-ARIA dialog pattern) */
            autoFocus
            aria-label={`Search ${label}`}
            placeholder={`Search ${source}`}
            value={q}
            onChange={(e) => setQ(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && shown[0]) e.preventDefault(), pick(shown[0].code);
              if (e.key === 'Escape') setOpen(false);
            }}
          />
          <ul /* biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: the WAI-ARIA listbox pattern, on the list it is */ role="listbox">
            {shown.slice(0, 50).map((i) => (
              <li
                key={
                  i.code
                } /* biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: the WAI-ARIA listbox pattern: its options are the list's items */
                role="option"
                tabIndex={0}
                aria-selected={i.code === value}
                data-code={i.code}
                onClick={() => pick(i.code)}
                onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), pick(i.code))}
              >
                <code>{i.code}</code> <span>{i.name}</span>
                {i.detail && <span className="muted small"> {i.detail}</span>}
              </li>
            ))}
            {!shown.length && (
              <li className="muted">
                Nothing in {source} matches “{q}”.
              </li>
            )}
          </ul>
          <p className="help small">From {source}. A code missing here must be created in the ERP first.</p>
        </div>
      )}
    </div>
  );
}

// A cell whose value names an ERP record (a tax code, a warehouse, a payment method): chosen from the ERP's own list
// with a search, not typed free. A value the ERP does not have (from an older version or a CSV) shows as such.
// An ERP item (a SKU override's erpSku) is searched in the ERP as the person types (`search`): the catalogue is too
// large to hold, so a value not among what was seen is shown as it is, and the save looks it up.
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
  /** Searches the ERP; `items` is then only the first page. */
  search?: (q: string) => Promise<ErpReference[]>;
}

/** How long typing pauses before the ERP is searched. */
const SEARCH_DELAY_MS = 200;

export function ReferencePicker({ label, value, items, source, disabled, onPick, search }: Props) {
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState('');
  const box = useRef<HTMLDivElement>(null);
  const [found, setFound] = useState<{ q: string; items: ErpReference[] } | null>(null);
  const [searchError, setSearchError] = useState<string | null>(null);
  // Every item a search showed, so a picked one keeps its name after the search moves on.
  const seen = useRef(new Map<string, ErpReference>());
  useEffect(() => {
    if (!search || !open) return;
    const needle = q.trim();
    if (!needle) return setFound(null);
    let stale = false;
    const timer = setTimeout(
      () =>
        search(needle).then(
          (r) => {
            if (stale) return;
            for (const i of r) seen.current.set(i.code, i);
            setFound({ q: needle, items: r });
            setSearchError(null);
          },
          (e: Error) => !stale && setSearchError(e.message),
        ),
      SEARCH_DELAY_MS,
    );
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [search, open, q]);
  const current = items.find((i) => i.code === value) ?? seen.current.get(value);
  // Searched: an item not seen may well be in the ERP (the save checks it), so it is not called missing.
  const unknown = !!value && !current && !search;
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => !box.current?.contains(e.target as Node) && setOpen(false);
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);
  const needle = q.trim().toLowerCase();
  const searching = !!search && !!needle && found?.q.toLowerCase() !== needle;
  const shown =
    search && needle ? (found?.items ?? []) : items.filter((i) => !needle || i.code.toLowerCase().includes(needle) || i.name.toLowerCase().includes(needle));
  const pick = (code: string) => {
    onPick(code);
    setOpen(false);
    setQ('');
  };
  return (
    <div className="ref-picker" ref={box}>
      <button
        type="button"
        className={`ref-value ${unknown ? 'unknown' : ''}`}
        aria-label={label}
        aria-haspopup="listbox"
        aria-expanded={open}
        disabled={disabled}
        onClick={() => setOpen(!open)}
        title={unknown ? `${value} is not in ${source}` : current?.name}
      >
        {value ? (
          <>
            <code>{value}</code> <span className="muted small">{current ? current.name : unknown ? `not in ${source}` : ''}</span>
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
              if (e.key === 'Enter' && shown[0] && !searching) e.preventDefault(), pick(shown[0].code);
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
            {searching && <li className="muted">Searching {source}…</li>}
            {!shown.length && !searching && (
              <li className="muted">
                Nothing in {source} matches “{q}”.
              </li>
            )}
          </ul>
          {searchError && (
            <p className="error small" role="alert">
              {source} could not be searched: {searchError}
            </p>
          )}
          <p className="help small">
            {search ? `Active items of ${source}, by code or name; type to search.` : `From ${source}.`} A code missing here must be created in the ERP first.
          </p>
        </div>
      )}
    </div>
  );
}

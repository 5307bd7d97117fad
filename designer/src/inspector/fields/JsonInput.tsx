import { useEffect, useState } from 'react';

/** Free JSON for object/array/any fields; the config only changes when the text parses. */
export function JsonInput({ id, value, onChange, disabled }: { id: string; value: unknown; onChange(v: unknown): void; disabled?: boolean }) {
  const [text, setText] = useState(() => (value === undefined ? '' : JSON.stringify(value, null, 2)));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setText((t) => {
      try {
        if (JSON.stringify(JSON.parse(t || 'null')) === JSON.stringify(value ?? null)) return t;
      } catch {
        /* keep what the user is typing */
        return t;
      }
      return value === undefined ? '' : JSON.stringify(value, null, 2);
    });
  }, [value]);
  return (
    <>
      <textarea
        id={id}
        className="mono"
        rows={5}
        value={text}
        disabled={disabled}
        onChange={(e) => {
          setText(e.target.value);
          if (!e.target.value.trim()) {
            setError(null);
            onChange(undefined);
            return;
          }
          try {
            onChange(JSON.parse(e.target.value));
            setError(null);
          } catch (err) {
            setError(`not valid JSON: ${(err as Error).message}`);
          }
        }}
      />
      {error && <div className="error">{error}</div>}
    </>
  );
}

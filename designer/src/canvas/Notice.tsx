import { useEffect, useState } from 'react';
import { useFlowStore } from '../store/context.tsx';

export function Notice() {
  const notice = useFlowStore((s) => s.notice);
  const [shown, setShown] = useState<string | null>(null);
  useEffect(() => {
    if (!notice) return;
    setShown(notice.message);
    const t = setTimeout(() => setShown(null), 6000);
    return () => clearTimeout(t);
  }, [notice]);
  if (!shown) return null;
  return (
    <div className="notice" role="status" data-testid="notice">
      {shown}
      <button type="button" className="ghost" aria-label="Dismiss" onClick={() => setShown(null)}>
        ×
      </button>
    </div>
  );
}

import { useEffect } from 'react';
import type { FlowStore } from '../store/create-flow-store.ts';

const typingInto = (t: EventTarget | null) =>
  t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName) || !!t.closest('.cm-editor'));

/** Editor shortcuts; ignored while the user types into a form field or code editor. */
export function useKeyboard(store: FlowStore) {
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (typingInto(e.target)) return;
      const s = store.getState();
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (s.readOnly) return;
      if (e.key === 'Delete' || e.key === 'Backspace') s.deleteSelection();
      else if (mod && key === 'z' && !e.shiftKey) s.undo();
      else if (mod && (key === 'y' || (key === 'z' && e.shiftKey))) s.redo();
      else if (mod && key === 'c') s.copySelection();
      else if (mod && key === 'v') s.paste();
      else if (mod && key === 'a')
        s.select(
          s.flow.nodes.map((n) => n.id),
          s.flow.edges.map((ed) => ed.id),
        );
      else return;
      e.preventDefault();
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store]);
}

// The templates a new flow can start from (flows/templates/*.json via /api/templates): each card says what the
// flow does (its description), what starts it and its steps. "Blank flow" is the default choice.
import type { FlowTemplate } from '../api/types.ts';

const startsWith = (t: FlowTemplate) =>
  !t.trigger ? 'no trigger' : t.trigger.topic ? `Shopify ${t.trigger.topic}` : t.trigger.cron ? `schedule ${t.trigger.cron}` : t.trigger.title;

export function TemplateGallery({ templates, chosen, onChoose }: { templates: FlowTemplate[]; chosen: string | null; onChoose(id: string | null): void }) {
  return (
    <div className="template-gallery" role="radiogroup" aria-label="Start from" data-testid="template-gallery">
      <label className={`template-card ${chosen === null ? 'chosen' : ''}`} data-template="">
        <input type="radio" name="template" checked={chosen === null} onChange={() => onChoose(null)} />
        <strong>Blank flow</strong>
        <span className="help">An empty canvas: add a trigger and steps from the palette.</span>
      </label>
      {templates.map((t) => (
        <label key={t.id} className={`template-card ${chosen === t.id ? 'chosen' : ''}`} data-template={t.id} title={t.description}>
          <input type="radio" name="template" checked={chosen === t.id} onChange={() => onChoose(t.id)} />
          <strong>{t.name}</strong>
          <span className="template-meta">
            <span className="pill">{startsWith(t)}</span>{' '}
            <span className="muted small">
              {t.steps.length} step{t.steps.length === 1 ? '' : 's'}
            </span>
          </span>
          <span className="template-description">{t.description}</span>
        </label>
      ))}
    </div>
  );
}

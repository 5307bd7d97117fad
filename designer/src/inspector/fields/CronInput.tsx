import { describeCron } from '../schema-fields.ts';

export function CronInput({ id, value, onChange, disabled }: { id: string; value: string; onChange(v: string): void; disabled?: boolean }) {
  const preview = value ? describeCron(value) : null;
  return (
    <>
      <input id={id} className="mono" value={value} onChange={(e) => onChange(e.target.value)} disabled={disabled} placeholder="0 2 * * *" />
      <div className="cron-preview" data-testid="cron-preview">
        {preview ?? (value ? '' : 'e.g. 0 2 * * * — every day at 02:00')}
      </div>
    </>
  );
}

export function JsonView({ value, testId }: { value: unknown; testId?: string }) {
  if (value === undefined) return <p className="muted">—</p>;
  return (
    <pre className="json" data-testid={testId}>
      {typeof value === 'string' ? value : JSON.stringify(value, null, 2)}
    </pre>
  );
}

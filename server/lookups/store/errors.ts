// Errors the lookup service throws; the API maps them to 404 / 409 / 422.

export class LookupNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LookupNotFoundError';
  }
}

export class LookupConflictError extends Error {
  constructor(
    message: string,
    readonly currentVersion?: number,
  ) {
    super(message);
    this.name = 'LookupConflictError';
  }
}

export interface RowProblem {
  /** 1-based row number as the user sees it (CSV: the line after the header), or null for the table itself. */
  row: number | null;
  column?: string;
  message: string;
}

export class LookupValidationError extends Error {
  constructor(readonly problems: RowProblem[]) {
    super(
      `${problems.length === 1 ? 'invalid lookup data' : `${problems.length} problems in lookup data`}: ` +
        problems
          .slice(0, 5)
          .map((p) => `${p.row !== null ? `row ${p.row}` : 'table'}${p.column ? ` column "${p.column}"` : ''}: ${p.message}`)
          .join('; ') +
        (problems.length > 5 ? '; ...' : ''),
    );
    this.name = 'LookupValidationError';
  }
}

/** A configuration the server cannot start with, said plainly (no stack trace needed). */
export class StartupError extends Error {
  readonly userFacing = true;
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

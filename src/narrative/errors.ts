/** A template that cannot be written: where (file, line, column of the template) and the offending line. */
export class NarrativeError extends Error {
  loc?: { start: { line: number; column: number } };
  constructor(
    message: string,
    public where: {
      file?: string;
      line?: number;
      column?: number;
      excerpt?: string;
      hint?: string;
      /** what is wrong, without the file and part */
      detail?: string;
    } = {},
  ) {
    super(message);
  }
}

/** One import, as data/provenance.json records it (`bulletin data import`); the editions list those of their tables. */
export interface ProvenanceEntry {
  table: string;
  source: string;
  dataset: string;
  file: string;
  sha256: string;
  bytes: number;
  /** the publisher's last update, when the file says */
  lastUpdate?: string;
  imported: string;
  linesRead: number;
  linesKept: number;
}

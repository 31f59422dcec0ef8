/**
 * A file someone gave with a command (a Slack file, a Discord attachment, a console path),
 * as the adapter found it: read at most `limit` bytes, or refuse (UserError) what is larger.
 * The core reads it before the command's transaction, so no lock waits on a download.
 */
export interface Upload {
  name: string;
  /** The size the platform declared, when it did. */
  size: number | null;
  /** The media type the platform declared, when it did. */
  declaredType: string | null;
  read(limit: number): Promise<Buffer>;
}

/** How an adapter hands the core the file given for option `name` (`typed`: what was typed for it, if anything). */
export type FileSource = (name: string, typed: string | undefined) => Upload | undefined;

/** A file read and ready for the command. */
export interface FileValue {
  name: string;
  declaredType: string | null;
  content: Buffer;
}

/** The most a document may weigh (docs/contract.md §9). */
export const MAX_FILE_BYTES = 25 * 1024 * 1024;

export const formatBytes = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} bytes`);

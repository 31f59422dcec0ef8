import { UserError } from "../../src/model/errors.js";
import { formatBytes, type Upload } from "../../src/model/upload.js";

/**
 * A file a platform holds (a Slack file, a Discord attachment), fetched with the bot's
 * credentials when the command runs: stopped as soon as it is larger than allowed, and
 * refused with the reason when the platform will not give it.
 */
export function platformUpload(file: { name: string; size: number | null; type: string | null; url: string; headers?: Record<string, string> }): Upload {
  return {
    name: file.name,
    size: file.size,
    declaredType: file.type,
    async read(limit: number): Promise<Buffer> {
      let res: Response;
      try {
        res = await fetch(file.url, { headers: file.headers ?? {}, redirect: "follow", signal: AbortSignal.timeout(60_000) });
      } catch (error) {
        throw UserError.about("file", "invalid_option", `file: ${file.name} could not be fetched from the platform (${(error as Error).message}); try again`);
      }
      if (!res.ok || !res.body) throw UserError.about("file", "invalid_option", `file: the platform would not give ${file.name} (HTTP ${res.status}); try again`);
      const chunks: Buffer[] = [];
      let total = 0;
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          total += chunk.length;
          if (total > limit) throw UserError.about("file", "invalid_option", `file: ${file.name} is larger than ${formatBytes(limit)}, the most a document may be`);
          chunks.push(Buffer.from(chunk));
        }
      } catch (error) {
        if (error instanceof UserError) throw error;
        throw UserError.about("file", "invalid_option", `file: ${file.name} could not be fetched from the platform (${(error as Error).message}); try again`);
      }
      return Buffer.concat(chunks);
    },
  };
}

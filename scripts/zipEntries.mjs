// Reading a .vsix (a zip archive): scripts/package.mjs rewrites the one vsce wrote, and
// test/extension/runPackaged.mjs unpacks it to test it.
import { Buffer } from "node:buffer";
import yauzl from "yauzl";

/** Each file in the archive, in order: its path inside the archive, its bytes and its modification time. */
export async function* zipEntries(archive) {
  const zip = await yauzl.openPromise(archive, { autoClose: false });
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.endsWith("/")) continue;
      const chunks = [];
      for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk);
      yield { name: entry.fileName, data: Buffer.concat(chunks), mtime: entry.getLastModDate() };
    }
  } finally {
    zip.close();
  }
}

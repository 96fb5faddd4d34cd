/**
 * Atomic output: every file of a build is first written to a temporary name in the target
 * folder, then renamed into place, so a failed or interrupted build never leaves a half-written
 * report and never damages the previous one.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface OutputFile {
  name: string;
  content: string | Uint8Array;
}

/** Writes all files into `dir` (created if needed); all are staged before any is renamed. */
export async function writeAtomically(dir: string, files: OutputFile[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const stamp = `${process.pid}-${Date.now().toString(36)}`;
  const staged: { temp: string; final: string }[] = [];
  try {
    for (const file of files) {
      const final = join(dir, file.name);
      const temp = join(dir, `.${file.name}.${stamp}.tmp`);
      await writeFile(temp, file.content);
      staged.push({ temp, final });
    }
    for (const { temp, final } of staged) await rename(temp, final);
    return staged.map((s) => s.final);
  } catch (error) {
    await Promise.all(staged.map((s) => rm(s.temp, { force: true })));
    throw error;
  }
}

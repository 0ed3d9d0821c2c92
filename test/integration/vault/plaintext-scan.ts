// Looks for a secret in every file under a folder, in the encodings a careless writer would use,
// to prove the keyring's files hold it encrypted and nothing else on disk holds it at all.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

export async function filesContaining(root: string, secret: string): Promise<string[]> {
  const needles = [Buffer.from(secret, 'utf8'), Buffer.from(secret, 'utf16le'), Buffer.from(Buffer.from(secret, 'utf8').toString('base64'))];
  const hits: string[] = [];
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const bytes = await readFile(file);
    if (needles.some((needle) => bytes.includes(needle))) hits.push(file);
  }
  return hits;
}

export async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => !e.isDirectory()).map((e) => path.relative(root, path.join(e.parentPath, e.name))).sort();
}

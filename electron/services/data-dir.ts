// Where Airlock keeps its database and clean library when nobody says otherwise. The Electron
// shell uses Electron's own userData folder instead; the policy and command line can override.
import os from 'node:os';
import path from 'node:path';

export function defaultDataDir(env: Record<string, string | undefined> = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.AIRLOCK_DATA_DIR) return env.AIRLOCK_DATA_DIR;
  if (platform === 'win32') return path.win32.join(env.LOCALAPPDATA ?? path.join(os.homedir(), 'AppData', 'Local'), 'Airlock');
  if (platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support', 'Airlock');
  return path.join(env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share'), 'airlock');
}

// Every read and write of the audit log, as named (db, args) functions run by the store on its
// own thread.
import type { Db } from '../store/database.ts';

export const auditRepositories = {} satisfies Record<string, (db: Db, args: never) => unknown>;

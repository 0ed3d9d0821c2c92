// The audit log as the rest of Airlock uses it: record what happened and who did it, list it for
// the audit screen, check the chain, export it signed. Storage and chaining happen on the store's
// thread (audit-repositories.ts); this side stamps the time and keeps secrets out.
import { AirlockError } from '../../../common/errors.ts';
import type { PackagePublicKey } from '../package/keys.ts';
import type { Store } from '../store/store.ts';
import { describeAuditBreak, type AuditHead, type AuditRow, type AuditVerifyResult } from './audit-chain.ts';
import { verifyAuditExport, writeAuditExport, type AuditExportCheck, type AuditExportSummary, type AuditRowSource, type AuditSigner } from './audit-export.ts';
import { prepareAuditAppend, type AuditEvent } from './audit-redaction.ts';

export type { AuditEvent } from './audit-redaction.ts';

/** Kinds Airlock records today; the audit screen offers these as a filter. Others may follow. */
export const AUDIT_KINDS = [
  'staff.sign-in',
  'staff.sign-in-failed',
  'staff.sign-out',
  'import.completed',
  'sanitize.report',
  'post.edited',
  'post.submitted',
  'post.approved',
  'post.rejected',
  'post.scheduled',
  'post.cancelled',
  'publish.attempt',
  'publish.result',
  'policy.loaded',
  'egress.blocked',
  'audit.exported',
] as const;

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  actorName: string;
  kind: string;
  subject: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface AuditQuery {
  actor?: string;
  subject?: string;
  kind?: string | readonly string[];
  /** Entries at or after this instant. */
  from?: string;
  /** Entries before this instant. */
  to?: string;
  limit: number;
  offset?: number;
}

export interface AuditPage {
  /** Newest first. */
  entries: AuditEntry[];
  /** Every entry matching the filters, for the pager. */
  total: number;
}

export const MAX_LIST_LIMIT = 500;

export function toAuditEntry(row: AuditRow): AuditEntry {
  let details: Record<string, unknown>;
  try {
    details = JSON.parse(row.details_json) as Record<string, unknown>;
  } catch {
    // Only a tampered row can get here (the table checks json_valid); show it rather than fail the list.
    details = { _unreadable: row.details_json };
  }
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    actorName: row.actor_name,
    kind: row.kind,
    subject: row.subject,
    details,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

function badQuery(detail: string): AirlockError {
  return new AirlockError('audit.bad-query', 'The audit log filter is not valid.', detail);
}

function instant(field: string, value: string | undefined): string | null {
  if (value === undefined) return null;
  const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) throw badQuery(`${field} must be a date and time`);
  // Stored times are all toISOString() output, so comparing the same spelling is comparing times.
  return new Date(time).toISOString();
}

function optionalText(field: string, value: string | undefined): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || value.length === 0 || value.length > 200) throw badQuery(`${field} must be text of 1 to 200 characters`);
  return value;
}

export function storeRowSource(store: Store): AuditRowSource {
  return {
    head: () => store.call('audit.head', {}),
    page: (afterSeq, limit) => store.call('audit.page', { afterSeq, limit }),
  };
}

export interface AuditLogOptions {
  store: Store;
  /** The kiosk's clock; tests pass a fixed one. */
  now?: () => Date;
}

export class AuditLog {
  readonly #store: Store;
  readonly #now: () => Date;

  constructor(options: AuditLogOptions) {
    this.#store = options.store;
    this.#now = options.now ?? (() => new Date());
  }

  /**
   * Records one event. Secrets in `details` are replaced by [redacted]; an actor, name, kind or
   * subject that looks like a credential is refused (`audit.secret-refused`). Entries recorded
   * at the same moment share one transaction on the store's thread (group-commit.ts).
   */
  async append(event: AuditEvent): Promise<AuditEntry> {
    const { redacted: _redacted, ...append } = prepareAuditAppend(event, this.#now());
    return toAuditEntry(await this.#store.call('audit.append', append));
  }

  async list(query: AuditQuery): Promise<AuditPage> {
    if (query === null || typeof query !== 'object') throw badQuery('a query is required');
    const { limit, offset = 0 } = query;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) throw badQuery(`limit must be 1 to ${MAX_LIST_LIMIT}`);
    if (!Number.isSafeInteger(offset) || offset < 0) throw badQuery('offset must be 0 or more');
    const kinds = query.kind === undefined ? null : typeof query.kind === 'string' ? [query.kind] : [...query.kind];
    if (kinds !== null && (kinds.length > AUDIT_KINDS.length * 2 || kinds.some((k) => typeof k !== 'string' || k.length === 0 || k.length > 64))) {
      throw badQuery('kind must be one or a few event kinds');
    }
    const { rows, total } = await this.#store.call('audit.list', {
      actor: optionalText('actor', query.actor),
      subject: optionalText('subject', query.subject),
      kinds,
      from: instant('from', query.from),
      to: instant('to', query.to),
      limit,
      offset,
    });
    return { entries: rows.map(toAuditEntry), total };
  }

  async head(): Promise<AuditHead | null> {
    return this.#store.call('audit.head', {});
  }

  /**
   * Checks the chain. The database alone proves no entry was altered, removed from the middle
   * or moved; `anchor` (a head recorded outside the kiosk) adds a cut-off tail and a chain
   * rewritten from scratch. See FORMAT.md.
   */
  async verify(options: { anchor?: AuditHead | null } = {}): Promise<AuditVerifyResult> {
    return this.#store.call('audit.verify', { anchor: options.anchor ?? null });
  }

  /** Writes a signed export of every entry; refuses if the chain is broken. */
  async export(outFile: string, signer: AuditSigner): Promise<AuditExportSummary> {
    const check = await this.verify();
    if (!check.ok) {
      throw new AirlockError('audit.chain-broken', `The audit log is damaged (${describeAuditBreak(check)}). Airlock will not sign it. Ask IT to keep a copy of the database as it is.`, check.detail);
    }
    return writeAuditExport(storeRowSource(this.#store), outFile, signer, this.#now);
  }

  async verifyExport(file: string, trustedKey?: PackagePublicKey): Promise<AuditExportCheck> {
    return verifyAuditExport(file, trustedKey);
  }
}

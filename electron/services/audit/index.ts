// The tamper-evident audit log. The core needs AuditLog (and a signer for exports); the CLI
// reads databases directly through the rest. Formats and what verify can prove: FORMAT.md.

export { AUDIT_KINDS, AuditLog, MAX_LIST_LIMIT, storeRowSource, toAuditEntry } from './audit-log.ts';
export type { AuditEntry, AuditEvent, AuditLogOptions, AuditPage, AuditQuery } from './audit-log.ts';
export { auditEntryHash, canonicalAuditEncoding, describeAuditBreak, GENESIS_HASH } from './audit-chain.ts';
export type { AuditBreakReason, AuditChainBreak, AuditHead, AuditRow, AuditVerifyResult } from './audit-chain.ts';
export { keyPairSigner, verifyAuditExport, writeAuditExport } from './audit-export.ts';
export type { AuditExportCheck, AuditExportSummary, AuditRowSource, AuditSigner } from './audit-export.ts';
export { appendAuditEntry, databaseRowSource, verifyAuditChain } from './audit-repositories.ts';
export { prepareAuditAppend, redactDetails, redactText, REDACTED } from './audit-redaction.ts';
export type { AuditAppend } from './audit-redaction.ts';
export { openDatabaseReadOnly } from './read-only-database.ts';
export { AUDIT_MIGRATION } from './audit-schema.ts';

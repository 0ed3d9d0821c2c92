// The import capability as the screens use it: which sticks are in, what a scan of one found,
// one import at a time running in the background with progress and a final outcome on the
// event stream, and the clean library that results.
import { randomUUID } from 'node:crypto';
import type { LibraryItem, ScanView, VolumeSummary } from '../../../common/contract.ts';
import { AirlockError, toErrorValue, type AirlockErrorValue } from '../../../common/errors.ts';
import { SanitizeReport } from '../../../common/sanitize-report.ts';
import type { EventBus } from '../api/event-bus.ts';
import { ejectVolume, type Volume } from '../media/index.ts';
import type { SigningKeyPair } from '../package/keys.ts';
import { consumeStick } from './consume-stick.ts';
import { importFromSource, scanSource, type ImportDeps, type ImportOutcome } from './import-session.ts';

export type ImportFinished = { sessionId: string; actor: { staffId: string; name: string } | null; volumeLabel: string } & (
  | { ok: true; result: ImportOutcome; cleared: string[]; warnings: string[] }
  | { ok: false; error: AirlockErrorValue }
);

export interface ImportServiceDeps extends ImportDeps {
  events: EventBus;
  volumes: () => Volume[];
  /** Told the outcome of every import, for the audit log. */
  onDidFinish?: (finished: ImportFinished) => void;
  /** The kiosk's own key, from the OS keychain, for receipts on "use once" sticks. */
  receiptSigner?: () => Promise<SigningKeyPair>;
}

export class ImportService {
  readonly #deps: ImportServiceDeps;
  #running: Promise<void> | null = null;

  constructor(deps: ImportServiceDeps) {
    this.#deps = deps;
  }

  listVolumes(): VolumeSummary[] {
    return this.#deps.volumes().map((v) => ({ volumeId: v.volumeId, label: v.label, path: v.path, readOnly: v.readOnly }));
  }

  /** Only sticks Airlock itself detected can be scanned or imported: the screens never name a path. */
  #volume(volumeId: string): Volume {
    const volume = this.#deps.volumes().find((v) => v.volumeId === volumeId);
    if (!volume) throw new AirlockError('ingest.no-volume', 'That stick is no longer inserted. Insert it again and choose it from the list.', `volume ${volumeId}`);
    return volume;
  }

  async scan(volumeId: string): Promise<ScanView> {
    const volume = this.#volume(volumeId);
    const { scan, package: pkg } = await scanSource(volume.path, this.#deps);
    return {
      volumeId,
      accepted: scan.accepted.map((f) => ({ path: f.path, kind: f.kind, bytes: f.bytes })),
      rejected: scan.rejected.map((f) => ({ path: f.path, reason: f.reason, code: f.code, skipped: f.skipped === true, ...(f.params ? { params: f.params } : {}) })),
      totals: { accepted: scan.totals.accepted, acceptedBytes: scan.totals.acceptedBytes, rejected: scan.totals.rejected, skipped: scan.totals.skipped },
      truncated: scan.truncated?.reason ?? null,
      package: pkg,
    };
  }

  /** Starts an import in the background; its progress and outcome arrive as events. */
  start(volumeId: string, actor: { staffId: string; name: string } | null = null, replayAllowedBy: string | null = null): { sessionId: string } {
    if (this.#running) throw new AirlockError('ingest.busy', 'An import is already running. Wait for it to finish.');
    const volume = this.#volume(volumeId);
    const sessionId = randomUUID();
    const { events } = this.#deps;
    this.#running = importFromSource(volume.path, this.#deps, {
      sessionId,
      volume: { id: volume.volumeId, label: volume.label, uuid: volume.identity.uuid ?? null, serial: volume.identity.serial ?? null },
      replayAllowedBy,
      onProgress: (p) => events.emit('import.progress', p),
    })
      .then(
        async (outcome) => {
          const warnings: string[] = [];
          const warningErrors: AirlockErrorValue[] = [];
          let cleared: string[] = [];
          if (this.#deps.policy.media.consume) {
            try {
              cleared = await this.#consume(volume.path, outcome);
            } catch (err) {
              const error = toErrorValue(err);
              warnings.push(error.message);
              warningErrors.push(error);
            }
          }
          this.#deps.onDidFinish?.({ sessionId, actor, volumeLabel: volume.label, ok: true, result: outcome, cleared, warnings });
          events.emit('import.finished', {
            sessionId,
            ok: true,
            error: null,
            imported: outcome.imported.length,
            posts: outcome.postIds.length,
            rejected: outcome.rejected.filter((r) => !r.skipped).length,
            stickCleared: this.#deps.policy.media.consume ? warnings.length === 0 : null,
            warnings,
            warningErrors,
          });
        },
        (err: unknown) => {
          const error = toErrorValue(err);
          this.#deps.onDidFinish?.({ sessionId, actor, volumeLabel: volume.label, ok: false, error });
          events.emit('import.finished', { sessionId, ok: false, error, imported: 0, posts: 0, rejected: 0, stickCleared: null, warnings: [] });
        },
      )
      .finally(() => {
        this.#running = null;
      });
    return { sessionId };
  }

  /**
   * Removes blobs nothing refers to: clean copies an import wrote before the process died, or
   * originals it had not yet deleted. Runs at start-up, before any import can begin.
   */
  async sweepOrphans(): Promise<number> {
    const referenced = new Set(await this.#deps.store.call('media.referencedBlobs', {}));
    let removed = 0;
    for (const sha of await this.#deps.blobs.list()) {
      if (referenced.has(sha)) continue;
      await this.#deps.blobs.remove(sha);
      removed++;
    }
    return removed;
  }

  async eject(volumeId: string): Promise<void> {
    if (this.#running) throw new AirlockError('media.eject-busy', 'Wait for the import to finish before ejecting the stick.');
    await ejectVolume(this.#volume(volumeId));
  }

  async #consume(root: string, outcome: ImportOutcome): Promise<string[]> {
    if (!this.#deps.receiptSigner) {
      throw new AirlockError('ingest.no-receipt-key', 'The import is complete, but the stick was not cleared: this kiosk has no secure key store to sign the receipt with. Clear the stick by hand and ask IT.');
    }
    const signer = await this.#deps.receiptSigner();
    const result = await consumeStick(
      root,
      {
        formatVersion: 1,
        kind: 'airlock-import-receipt',
        importSessionId: outcome.sessionId,
        importedAt: this.#deps.now().toISOString(),
        kioskName: this.#deps.policy.kioskName,
        packageId: outcome.package.kind === 'package' ? outcome.package.packageId : null,
        files: outcome.stickFiles.map((f) => ({ path: f.path, sha256: f.sha256, bytes: f.bytes })),
      },
      signer,
    );
    return result.cleared;
  }

  /** Resolves when the running import (if any) has finished. */
  async idle(): Promise<void> {
    await this.#running;
  }

  async library(offset: number, limit: number): Promise<{ total: number; items: LibraryItem[] }> {
    const rows = await this.#deps.store.call('media.list', { limit, offset });
    return {
      total: await this.#deps.store.call('media.count', {}),
      items: rows.map((r) => ({
        id: String(r.id),
        kind: r.kind as 'image' | 'video',
        format: String(r.format),
        originalName: String(r.original_name),
        cleanSha256: String(r.clean_sha256),
        thumbnailSha256: r.thumbnail_sha256 === null ? null : String(r.thumbnail_sha256),
        width: r.width === null ? null : Number(r.width),
        height: r.height === null ? null : Number(r.height),
        bytes: Number(r.clean_bytes),
        createdAt: String(r.created_at),
        report: SanitizeReport.parse(JSON.parse(String(r.report_json))),
      })),
    };
  }
}

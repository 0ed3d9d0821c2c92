// The one shape every platform's publisher has: validate a post against the platform's rules,
// publish it (upload with progress, create the post, confirm it), and after a crash find out
// whether an earlier attempt already published it, so nothing is ever posted twice.
import type { PlatformId } from '../../common/platforms.ts';
import type { EgressClient } from '../services/egress/http-client.ts';
import type { AccountCredentials } from '../services/vault/vault.ts';
import type { PlatformCheck, PostFacts } from './post-rules.ts';

export interface PublishMedia {
  kind: 'image' | 'video';
  /** The clean file in the library; read it in chunks, never whole. */
  path: string;
  bytes: number;
  format: string;
  /** e.g. image/jpeg, video/mp4. */
  contentType: string;
  cleanSha256: string;
  altText: string | null;
  width: number | null;
  height: number | null;
  durationMs: number | null;
}

export interface PublishRequest {
  postId: string;
  /** Stable for one (post, account) job across retries and restarts. */
  idempotencyKey: string;
  caption: string;
  options: Record<string, unknown>;
  media: PublishMedia[];
}

export interface PublishAccount {
  platform: PlatformId;
  accountId: string;
  /** Where the platform's API is: the real host, or a simulator's loopback origin in training. */
  apiBase: string;
}

export interface PublishContext {
  account: PublishAccount;
  /** The only way an adapter may reach the network (checked against the egress allow-list). */
  http: EgressClient;
  credentials: () => Promise<AccountCredentials>;
  /** Adapters that refresh or rotate tokens must save the new ones before using them. */
  saveCredentials: (credentials: AccountCredentials) => Promise<void>;
  onProgress: (progress: { phase: 'uploading' | 'processing' | 'creating'; bytesDone: number; bytesTotal: number }) => void;
  signal: AbortSignal;
  /** Job state an adapter keeps between attempts (upload session URLs, platform ids), persisted by the publisher. */
  checkpoint: { load(): Promise<Record<string, unknown>>; save(state: Record<string, unknown>): Promise<void> };
}

export interface PublishResult {
  /** The platform's id for the post. */
  remoteId: string;
  url: string | null;
  /** 'sent-to-inbox' when the account owner finishes the post in the platform's own app. */
  outcome: 'published' | 'sent-to-inbox';
}

export interface PlatformAdapter {
  platform: PlatformId;
  check(facts: PostFacts): PlatformCheck;
  publish(request: PublishRequest, context: PublishContext): Promise<PublishResult>;
  /** After a crash: the result if an earlier attempt already published this request, else null. */
  reconcile(request: PublishRequest, context: PublishContext): Promise<PublishResult | null>;
}

// The error an adapter ends a publish with, in words a comms officer can act on: a code
// `publish.<platform>.<what>`, a sentence, detail for IT, and what should happen next.
import { AirlockError } from '../../common/errors.ts';

/**
 * `retry`: the same request may succeed after a pause. `later`: the platform asked for a long
 * pause. `reconnect`: IT must connect the account again. `fix`: the post or the setup must change.
 */
export type NextStep = 'retry' | 'later' | 'reconnect' | 'fix';

export class PublishError extends AirlockError {
  readonly next: NextStep;
  /** The publisher checks this: true when trying the job again later can help. */
  readonly retryable: boolean;

  constructor(code: string, message: string, detail: string | undefined, next: NextStep) {
    super(code, message, detail);
    this.name = 'PublishError';
    this.next = next;
    this.retryable = next === 'retry' || next === 'later';
  }
}

/** The errors of one platform's adapter, each coded `publish.<platform>.<code>`. */
export function publishErrors(platform: string, label: string) {
  const make = (code: string, message: string, detail: string | undefined, next: NextStep) => new PublishError(`publish.${platform}.${code}`, message, detail, next);
  return {
    make,
    aborted: () => make('aborted', `Publishing to ${label} was stopped before it finished. When the job runs again it carries on where it stopped.`, 'the publish job was cancelled (AbortSignal)', 'retry'),
    unreachable: (detail: string) => make('unreachable', `Airlock could not get an answer from ${label}. Check the kiosk's internet connection; the post can be sent again safely.`, detail, 'retry'),
    unavailable: (detail: string) => make('unavailable', `${label} is having problems right now. Airlock will try again later.`, detail, 'retry'),
    rateLimited: (detail: string, waitMs?: number) => {
      const minutes = waitMs === undefined ? null : Math.max(1, Math.ceil(waitMs / 60_000));
      const when = minutes === null ? 'a while' : minutes === 1 ? 'about a minute' : `about ${minutes} minutes`;
      return make('rate-limited', `${label} asked Airlock to wait ${when} before sending more. Try again later.`, detail, 'later');
    },
    reconnect: (code: string, detail: string) => make(code, `The connection to ${label} has expired or was withdrawn. Ask IT to reconnect the ${label} account.`, detail, 'reconnect'),
    fileUnreadable: (detail: string) => make('file-unreadable', `Airlock could not read the file from its library while sending it to ${label}. Nothing was published. Ask IT to look at the details.`, detail, 'fix'),
  };
}

export type PublishErrors = ReturnType<typeof publishErrors>;

export function clip(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

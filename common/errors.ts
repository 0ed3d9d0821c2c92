// Errors that cross a boundary (API, CLI, events) are plain values: a stable code, a sentence
// that kiosk staff can act on, and optional detail for IT. No stack traces reach the screen.

export interface AirlockErrorValue {
  /** Stable, machine-readable code such as `api.unknown-method` or `ingest.symlink`. */
  code: string;
  /** Plain-language sentence for kiosk staff. */
  message: string;
  /** Technical detail for IT (never secrets). */
  detail?: string;
  /** The values in `message`, so the renderer can say it in the staff's language. */
  params?: Record<string, string | number>;
}

export class AirlockError extends Error {
  readonly code: string;
  readonly detail: string | undefined;
  readonly params: Record<string, string | number> | undefined;

  constructor(code: string, message: string, detail?: string, params?: Record<string, string | number>) {
    super(message);
    this.name = 'AirlockError';
    this.code = code;
    this.detail = detail;
    this.params = params;
  }

  static fromValue(value: AirlockErrorValue): AirlockError {
    return new AirlockError(value.code, value.message, value.detail, value.params);
  }

  toValue(): AirlockErrorValue {
    const value: AirlockErrorValue = { code: this.code, message: this.message };
    if (this.detail !== undefined) value.detail = this.detail;
    if (this.params !== undefined) value.params = this.params;
    return value;
  }
}

/** The envelope every API call returns, in both shells. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: AirlockErrorValue };

/** Turns anything thrown into an error value without leaking internals to staff. */
export function toErrorValue(err: unknown): AirlockErrorValue {
  if (err instanceof AirlockError) return err.toValue();
  const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return {
    code: 'internal',
    message: 'Something went wrong inside Airlock. Nothing was changed. Ask IT to look at the details.',
    detail,
  };
}

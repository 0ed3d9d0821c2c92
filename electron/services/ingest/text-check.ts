// Proves, chunk by chunk while a caption or manifest is hashed, that the whole file is UTF-8
// text without NUL bytes. Text has no magic bytes, so this is the only evidence it is text.

export type TextVerdict = { ok: true } | { ok: false; problem: 'nul' | 'invalid-utf8' };

export class TextCheck {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private problem: 'nul' | 'invalid-utf8' | undefined;

  push(chunk: Uint8Array): void {
    if (this.problem !== undefined) return;
    if (chunk.includes(0)) {
      this.problem = 'nul';
      return;
    }
    try {
      // stream: true carries a character split across two chunks over to the next call.
      this.decoder.decode(chunk, { stream: true });
    } catch {
      this.problem = 'invalid-utf8';
    }
  }

  finish(): TextVerdict {
    if (this.problem === undefined) {
      try {
        this.decoder.decode();
      } catch {
        this.problem = 'invalid-utf8';
      }
    }
    return this.problem === undefined ? { ok: true } : { ok: false, problem: this.problem };
  }
}

// What the sanitiser found and removed from each item, in words kiosk staff can read. It is
// stored with the clean media and shown next to every preview.
import { z } from 'zod';

export const SanitizeFinding = z.object({
  /** A category for icons and filtering, e.g. 'location', 'camera', 'author', 'hidden-data'. */
  kind: z.string().min(1).max(40),
  /** One sentence, e.g. "GPS position 51.50 N, 0.12 W removed". */
  text: z.string().min(1).max(500),
});
export type SanitizeFinding = z.infer<typeof SanitizeFinding>;

export const SanitizeReport = z.object({
  mediaKind: z.enum(['image', 'video', 'caption']),
  findings: z.array(SanitizeFinding),
  /** Things a person should check that the sanitiser did not change. */
  warnings: z.array(SanitizeFinding),
});
export type SanitizeReport = z.infer<typeof SanitizeReport>;

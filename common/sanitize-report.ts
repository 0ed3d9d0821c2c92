// What the sanitiser found and removed from each item, in words kiosk staff can read. It is
// stored with the clean media and shown next to every preview.
import { z } from 'zod';

/**
 * Every sentence the sanitiser can write, by a stable code. The renderer translates a finding by
 * its code with its `params`; `text` stays the English sentence for logs, the audit log and IT.
 */
export const SANITIZE_FINDING_CODES = [
  // Photos
  'image.gps-position', // lat, lon
  'image.gps-info',
  'image.camera-model', // camera
  'image.camera-serials', // count
  'image.author-name', // names
  'image.copyright',
  'image.date-taken', // date
  'image.software', // software
  'image.description',
  'image.maker-notes',
  'image.thumbnail',
  'image.xmp-block',
  'image.iptc-block',
  'image.comments', // count
  'image.text-notes', // count
  'image.trailing-data', // bytes
  'image.exif-block',
  'image.orientation',
  'image.colour-profile',
  // Videos
  'video.location', // lat, lon
  'video.tag', // tag (one of MP4_TAG_LABELS)
  'video.tag-value', // tag, value
  'video.creation-date', // date
  'video.other-tags', // count
  'video.damaged-metadata',
  'video.metadata-block',
  'video.large-metadata-block',
  'video.maker-data', // maker
  'video.vendor-data',
  'video.xmp',
  'video.xmp-location',
  'video.xmp-camera',
  'video.track-name', // value
  'video.encoder-name', // value
  'video.timed-metadata-track',
  'video.timecode-track',
  'video.subtitle-track',
  'video.hint-track',
  'video.other-track', // type
  'video.boxes', // count, boxes
  'video.transcoded', // codecs
  // Captions
  'caption.normalised',
  'caption.bidi', // count
  'caption.invisible', // count
  'caption.tag', // count
  'caption.variation', // count
  'caption.control', // count
  'caption.line-breaks', // count
  'caption.mixed-script', // word, scripts
  'caption.private-use', // count
] as const;
export type SanitizeFindingCode = (typeof SANITIZE_FINDING_CODES)[number];

/** The metadata tags a video finding can name (`video.tag`, `video.tag-value`), by id. */
export const MP4_TAG_LABELS = {
  location: 'Location',
  'place-name': 'Place name',
  author: 'Author',
  title: 'Title',
  'creation-date': 'Creation date',
  'camera-make': 'Camera make',
  'camera-model': 'Camera model',
  software: 'Software',
  encoder: 'Encoder',
  comment: 'Comment',
  description: 'Description',
  copyright: 'Copyright',
  keywords: 'Keywords',
  album: 'Album',
  genre: 'Genre',
  information: 'Information',
} as const;
export type Mp4TagId = keyof typeof MP4_TAG_LABELS;

/** The writing systems a look-alike warning can name (`caption.mixed-script`). */
export const CAPTION_SCRIPTS = ['Latin', 'Cyrillic', 'Greek', 'Armenian', 'Cherokee'] as const;

/** Values a finding's sentence needs: counts, coordinates, names read from the file. */
export const FindingParams = z.record(z.string().max(40), z.union([z.string().max(500), z.number(), z.array(z.string().max(100)).max(200)]));
export type FindingParams = z.infer<typeof FindingParams>;

export const SanitizeFinding = z.object({
  /** A category for icons and filtering, e.g. 'location', 'camera', 'author', 'hidden-data'. */
  kind: z.string().min(1).max(40),
  /** One sentence, e.g. "GPS position 51.50 N, 0.12 W removed". */
  text: z.string().min(1).max(500),
  /** Which sentence this is (one of SANITIZE_FINDING_CODES); absent in reports stored before codes existed. */
  code: z.string().min(1).max(60).optional(),
  /** The values in the sentence, e.g. `{ lat: 51.5, lon: -0.12 }`. */
  params: FindingParams.optional(),
});
export type SanitizeFinding = z.infer<typeof SanitizeFinding>;

export const SanitizeReport = z.object({
  mediaKind: z.enum(['image', 'video', 'caption']),
  findings: z.array(SanitizeFinding),
  /** Things a person should check that the sanitiser did not change. */
  warnings: z.array(SanitizeFinding),
});
export type SanitizeReport = z.infer<typeof SanitizeReport>;

/** A finding with its code and the values its sentence needs. */
export function finding(kind: string, code: SanitizeFindingCode, text: string, params?: FindingParams): SanitizeFinding {
  return params ? { kind, code, text, params } : { kind, code, text };
}

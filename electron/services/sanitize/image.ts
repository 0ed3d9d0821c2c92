// Content disarm for photos: decode and re-encode with libvips (sharp), applying the stored
// orientation, so no EXIF, GPS, XMP, IPTC, maker notes, thumbnails, comments or trailing data
// survive. What was found is described in plain words for the sanitisation report.
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import exifr from 'exifr';
import sharp, { type Metadata, type OutputInfo, type Sharp } from 'sharp';
import { AirlockError } from '../../../common/errors.ts';
import { finding, type SanitizeFinding, type SanitizeReport } from '../../../common/sanitize-report.ts';
import { surveyImage, type ContainerSurvey } from './image-containers.ts';

export interface ImageLimits {
  /** Decoded pixel cap against decompression bombs (width × height). */
  maxPixels: number;
  maxBytes: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxPixels: 100_000_000, maxBytes: 50 * 1024 * 1024 };

export interface CleanImage {
  report: SanitizeReport;
  format: 'jpeg' | 'png' | 'webp';
  width: number;
  height: number;
  bytes: number;
}

type ExifTags = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim().slice(0, 80) : typeof v === 'number' ? String(v) : null);

function coordinate(value: number, positive: string, negative: string): string {
  return `${Math.abs(value).toFixed(2)} ${value >= 0 ? positive : negative}`;
}

function describeDate(v: unknown): string | null {
  if (v instanceof Date && !Number.isNaN(v.getTime())) return v.toISOString().slice(0, 10);
  return str(v);
}

/** Turns EXIF/XMP/IPTC tags into sentences; never throws on odd values. */
export function describeTags(tags: ExifTags): SanitizeFinding[] {
  const findings: SanitizeFinding[] = [];
  const lat = tags.latitude;
  const lon = tags.longitude;
  if (typeof lat === 'number' && typeof lon === 'number' && Number.isFinite(lat) && Number.isFinite(lon)) {
    findings.push(finding('location', 'image.gps-position', `GPS position ${coordinate(lat, 'N', 'S')}, ${coordinate(lon, 'E', 'W')} removed`, { lat, lon }));
  } else if (Object.keys(tags).some((k) => k.startsWith('GPS'))) {
    findings.push(finding('location', 'image.gps-info', 'GPS information removed'));
  }
  const make = str(tags.Make);
  const model = str(tags.Model);
  // Many cameras repeat the make in the model name ("Canon" + "Canon EOS R6").
  const camera = make && model?.toLowerCase().startsWith(make.toLowerCase()) ? model : [make, model].filter(Boolean).join(' ');
  if (camera) findings.push(finding('camera', 'image.camera-model', `Camera make and model (${camera}) removed`, { camera }));
  const serials = ['SerialNumber', 'BodySerialNumber', 'CameraSerialNumber', 'LensSerialNumber', 'InternalSerialNumber'].filter((k) => str(tags[k]));
  if (serials.length) findings.push(finding('serial', 'image.camera-serials', serials.length === 1 ? 'Camera serial number removed' : `${serials.length} camera and lens serial numbers removed`, { count: serials.length }));
  const authors = ['Artist', 'creator', 'Creator', 'By-line', 'Byline', 'XPAuthor', 'OwnerName', 'CameraOwnerName'].map((k) => tags[k]).flat().map(str).filter(Boolean);
  if (authors.length) {
    const names = [...new Set(authors)].join(', ');
    findings.push(finding('author', 'image.author-name', `Author name (${names}) removed`, { names }));
  }
  if (str(tags.Copyright) || str(tags.rights)) findings.push(finding('author', 'image.copyright', 'Copyright notice removed'));
  const taken = describeDate(tags.DateTimeOriginal) ?? describeDate(tags.CreateDate) ?? describeDate(tags.ModifyDate);
  if (taken) findings.push(finding('date', 'image.date-taken', `Date taken (${taken}) removed`, { date: taken }));
  const software = str(tags.Software) ?? str(tags.CreatorTool);
  if (software) findings.push(finding('software', 'image.software', `Editing software name (${software}) removed`, { software }));
  const description = str(tags.ImageDescription) ?? str(tags.UserComment) ?? str(tags.XPComment) ?? str(tags.description);
  if (description) findings.push(finding('text', 'image.description', 'Hidden description text removed'));
  if (tags.MakerNote !== undefined) findings.push(finding('camera', 'image.maker-notes', 'Camera maker notes removed'));
  return findings;
}

function describeContainer(survey: ContainerSurvey, tags: ExifTags, hadThumbnail: boolean): SanitizeFinding[] {
  const findings: SanitizeFinding[] = [];
  if (hadThumbnail) findings.push(finding('hidden-data', 'image.thumbnail', 'Embedded preview thumbnail removed (it can show the uncropped original)'));
  if (survey.xmp) findings.push(finding('metadata', 'image.xmp-block', 'XMP metadata block removed'));
  if (survey.iptc) findings.push(finding('metadata', 'image.iptc-block', 'IPTC press metadata removed'));
  if (survey.comments) findings.push(finding('text', 'image.comments', `${survey.comments} hidden comment${survey.comments === 1 ? '' : 's'} removed`, { count: survey.comments }));
  if (survey.textChunks) findings.push(finding('text', 'image.text-notes', `${survey.textChunks} hidden text note${survey.textChunks === 1 ? '' : 's'} removed`, { count: survey.textChunks }));
  if (survey.trailingBytes > 0) findings.push(finding('hidden-data', 'image.trailing-data', `${survey.trailingBytes.toLocaleString('en')} bytes of hidden data after the end of the picture removed`, { bytes: survey.trailingBytes }));
  if (survey.exif && Object.keys(tags).length === 0) findings.push(finding('metadata', 'image.exif-block', 'EXIF metadata block removed'));
  return findings;
}

async function readTags(survey: ContainerSurvey, buf: Buffer): Promise<{ tags: ExifTags; thumbnail: boolean }> {
  const options = { tiff: true, exif: true, gps: true, xmp: true, iptc: true, interop: false, ifd1: true, makerNote: true, userComment: true, mergeOutput: true, silentErrors: true };
  try {
    // exifr reads JPEG and PNG containers itself; for WebP it is given the raw EXIF (TIFF) block.
    const source = survey.format === 'webp' ? survey.exif : buf;
    if (!source) return { tags: {}, thumbnail: false };
    const tags = ((await exifr.parse(source, options)) ?? {}) as ExifTags;
    const thumbnail = survey.exif !== null && (await exifr.thumbnail(survey.format === 'webp' ? survey.exif : buf).catch(() => undefined)) !== undefined;
    return { tags, thumbnail };
  } catch {
    // Unparseable metadata is still removed by the re-encode; the report says so generically.
    return { tags: survey.exif ? { unparsed: true } : {}, thumbnail: false };
  }
}

const ENCODERS = {
  // One encoding pass: the platforms re-encode uploads anyway, so a second Huffman pass buys little.
  jpeg: (img: Sharp) => img.jpeg({ quality: 88, chromaSubsampling: '4:2:0', optimiseCoding: false }),
  png: (img: Sharp) => img.png({ compressionLevel: 6 }),
  webp: (img: Sharp) => img.webp({ quality: 90 }),
} as const;

/**
 * Re-encodes `src` into `dest`. `dest` is written only when everything succeeded; on any
 * failure it is removed and an AirlockError explains why in plain words.
 */
export async function sanitizeImage(src: string, dest: string, limits: ImageLimits = DEFAULT_IMAGE_LIMITS): Promise<CleanImage> {
  const size = (await stat(src)).size;
  if (size > limits.maxBytes) {
    throw new AirlockError('media.image-too-large', 'This picture file is too large to import.', `${size} bytes, limit ${limits.maxBytes}`);
  }
  const buf = await readFile(src);
  const survey = surveyImage(buf);
  if (survey === null) {
    throw new AirlockError('media.image-unsupported', 'This file is not a JPEG, PNG or WebP picture, so it was not imported.');
  }
  if (survey.truncated) {
    throw new AirlockError('media.image-malformed', 'This picture is damaged or incomplete, so it was not imported.', `${survey.format} structure ends before its end marker`);
  }

  let meta: Metadata;
  try {
    meta = await sharp(buf, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new AirlockError('media.image-malformed', 'This picture is damaged or not a normal picture, so it was not imported.', (err as Error).message);
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width <= 0 || height <= 0 || width * height > limits.maxPixels) {
    throw new AirlockError(
      'media.image-too-many-pixels',
      `This picture claims to be ${width.toLocaleString('en')} × ${height.toLocaleString('en')} pixels, far larger than any real photo, so it was not imported.`,
      `pixel cap ${limits.maxPixels}`,
    );
  }
  if ((meta.pages ?? 1) > 1) {
    throw new AirlockError('media.image-animated', 'Animated pictures are not supported. Export a still photo instead.', `${meta.pages} frames`);
  }

  const { tags, thumbnail } = await readTags(survey, buf);
  const findings = [...describeTags(tags), ...describeContainer(survey, tags, thumbnail)];
  if (meta.orientation !== undefined && meta.orientation !== 1) {
    findings.push(finding('orientation', 'image.orientation', 'The picture was stored turned; it has been turned upright'));
  }
  if (meta.icc || survey.icc) findings.push(finding('colour', 'image.colour-profile', 'Colour profile converted to standard sRGB'));

  let output: { data: Buffer; info: OutputInfo };
  try {
    const pipeline = sharp(buf, { limitInputPixels: limits.maxPixels, failOn: 'error', autoOrient: true }).toColourspace('srgb');
    output = await ENCODERS[survey.format](pipeline).toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new AirlockError('media.image-malformed', 'This picture could not be decoded safely, so it was not imported.', (err as Error).message);
  }
  try {
    await writeFile(dest, output.data, { flag: 'wx' });
  } catch (err) {
    // A half-written file (disk full) must not survive; someone else's existing file must.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') await rm(dest, { force: true });
    throw err;
  }
  return {
    report: { mediaKind: 'image', findings, warnings: [] },
    format: survey.format,
    width: output.info.width,
    height: output.info.height,
    bytes: output.data.length,
  };
}

/** A small WebP preview for lists, made from the already clean picture. */
export async function makeThumbnail(cleanFile: string, dest: string, maxEdge = 320): Promise<void> {
  const data = await sharp(cleanFile, { limitInputPixels: DEFAULT_IMAGE_LIMITS.maxPixels })
    .resize(maxEdge, maxEdge, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 75 })
    .toBuffer();
  await writeFile(dest, data);
}

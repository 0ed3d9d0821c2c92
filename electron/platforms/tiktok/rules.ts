// TikTok's publishing rules as pure functions: what the editor checks while staff write a
// post, and what the adapter checks again before sending one. Messages are for comms staff;
// each rule cites its section of ../shared/platform-apis.md (§1.x).
import {
  TIKTOK_LIMITS,
  type TikTokCreatorInfo,
  type TikTokPrivacyLevel,
  type TikTokVideoPostInfo,
} from './protocol.ts';

export interface TikTokVideoFacts {
  sizeBytes: number;
  durationSec: number;
  width: number;
  height: number;
  frameRate?: number;
  /** From magic bytes, not the file name. */
  container: 'mp4' | 'mov' | 'webm' | (string & {});
  videoCodec?: 'h264' | 'h265' | 'vp8' | 'vp9' | (string & {});
}

/** §1.8 "Commercial-content disclosure": the toggle and its two kinds. */
export interface TikTokCommercialContent {
  /** Staff said this post promotes something. */
  disclosed: boolean;
  /** "Your brand": promotes the organisation itself (brand_organic_toggle). */
  yourBrand: boolean;
  /** "Branded content": promotes a third party in exchange for something (brand_content_toggle). */
  brandedContent: boolean;
}

export interface TikTokPostDraft {
  /** `direct` posts now (§1.3); `inbox` sends a draft the account owner finishes in the app (§1.5). */
  mode?: 'direct' | 'inbox';
  caption: string;
  /** §1.8: no default; staff must choose. */
  privacyLevel?: TikTokPrivacyLevel | null;
  /** §1.8: all three start unchecked. */
  allowComments?: boolean;
  allowDuet?: boolean;
  allowStitch?: boolean;
  commercialContent?: TikTokCommercialContent;
  /** §1.3 `is_aigc`: adds TikTok's "Creator labeled as AI-generated" tag. */
  aiGenerated?: boolean;
  coverTimestampMs?: number;
  video?: TikTokVideoFacts;
}

export interface TikTokRuleIssue {
  /** The draft field the issue is about, e.g. `caption` or `video.durationSec`. */
  field: string;
  /** Stable code for tests and the audit log. */
  code: string;
  /** The sentence in English, for IT and the logs; the renderer says it by `code` with `params`. */
  message: string;
  /** The values in the sentence: numbers, limits, durations in seconds (`…duration`), a photo's number. */
  params?: Record<string, string | number>;
}

/** Every code these rules give. */
export const TIKTOK_RULE_CODES = [
  'tiktok.caption-too-long',
  'tiktok.privacy-missing',
  'tiktok.unaudited-private-only',
  'tiktok.privacy-not-offered',
  'tiktok.unaudited-account-private',
  'tiktok.interaction-disabled',
  'tiktok.commercial-kind-missing',
  'tiktok.branded-content-private',
  'tiktok.video-missing',
  'tiktok.video-format',
  'tiktok.video-format-not-recommended',
  'tiktok.video-codec',
  'tiktok.video-codec-not-recommended',
  'tiktok.video-too-large',
  'tiktok.video-too-long',
  'tiktok.video-long-for-some',
  'tiktok.video-frame-rate',
  'tiktok.video-resolution',
  'tiktok.cover-outside-video',
  'tiktok.inbox-finish-in-app',
  'tiktok.photo-title-too-long',
  'tiktok.photo-description-too-long',
  'tiktok.photo-count',
  'tiktok.photo-format',
  'tiktok.photo-resolution',
  'tiktok.photo-too-large',
] as const;

export interface TikTokValidation {
  errors: TikTokRuleIssue[];
  warnings: TikTokRuleIssue[];
}

export interface TikTokValidationContext {
  /** False while TikTok has not audited the organisation's app (§1.8 unaudited clients). */
  clientAudited?: boolean;
}

const number = (n: number) => n.toLocaleString('en-GB');
const plural = (n: number, one: string, many: string) => `${number(n)} ${n === 1 ? one : many}`;

/** §1.3: TikTok counts the caption in UTF-16 code units, which is what JS `.length` counts. */
export function countCaptionUnits(text: string): number {
  return text.length;
}

// §1.3 says only that hashtags and mentions "are parsed out of" the caption; these patterns
// are Airlock's reading for the preview, not TikTok's published grammar [U].
const HASHTAG = /(?:^|[^\p{L}\p{N}_&/#])#([\p{L}\p{M}\p{N}_]+)/gu;
const MENTION = /(?:^|[^\p{L}\p{N}_.@])@([A-Za-z0-9_.]+[A-Za-z0-9_])/gu;

/** Hashtags in the caption, without `#`, in order, duplicates kept. */
export function extractHashtags(caption: string): string[] {
  return Array.from(caption.matchAll(HASHTAG), (m) => m[1]!);
}

/** Mentioned usernames in the caption, without `@`, in order, duplicates kept. */
export function extractMentions(caption: string): string[] {
  return Array.from(caption.matchAll(MENTION), (m) => m[1]!);
}

/** Words staff see for each privacy level, matching TikTok's app (§1.3). */
export const TIKTOK_PRIVACY_LABELS: Record<TikTokPrivacyLevel, string> = {
  PUBLIC_TO_EVERYONE: 'Everyone',
  MUTUAL_FOLLOW_FRIENDS: 'Friends (followers you follow back)',
  FOLLOWER_OF_CREATOR: 'Followers',
  SELF_ONLY: 'Only the account owner',
};

const CONTAINERS = new Set(['mp4', 'mov', 'webm']);
const CODECS = new Set(['h264', 'h265', 'vp8', 'vp9']);

function checkCaption(draft: TikTokPostDraft, issues: TikTokValidation): void {
  const units = countCaptionUnits(draft.caption);
  const max = TIKTOK_LIMITS.videoTitleUnits;
  if (units > max) {
    issues.errors.push({
      field: 'caption',
      code: 'tiktok.caption-too-long',
      message:
        `The caption is ${number(units)} characters long as TikTok counts them; the limit is ${number(max)}. ` +
        `Shorten it by ${plural(units - max, 'character', 'characters')}. Emoji and some accented letters count as two or more.`,
      params: { used: units, limit: max, count: units - max },
    });
  }
}

function checkPrivacy(draft: TikTokPostDraft, creator: TikTokCreatorInfo | undefined, context: TikTokValidationContext, issues: TikTokValidation): void {
  const level = draft.privacyLevel ?? null;
  // §1.8 "The privacy dropdown has no default."
  if (level === null) {
    issues.errors.push({ field: 'privacyLevel', code: 'tiktok.privacy-missing', message: 'Choose who can see this post on TikTok. Airlock never picks this for you.' });
    return;
  }
  // §1.8 unaudited clients: content is SELF_ONLY and the account must be private.
  if (context.clientAudited === false && level !== 'SELF_ONLY') {
    issues.errors.push({
      field: 'privacyLevel',
      code: 'tiktok.unaudited-private-only',
      message:
        'TikTok has not yet approved this organisation\'s Airlock app, so posts can only be seen by the account owner. ' +
        'Choose "Only the account owner", or ask IT about TikTok\'s app audit.',
    });
  }
  // §1.3 privacy_level "must be one of the privacy_level_options from creator_info".
  if (creator && !creator.privacy_level_options.includes(level)) {
    const allowed = creator.privacy_level_options.map((l) => `"${TIKTOK_PRIVACY_LABELS[l]}"`).join(', ');
    issues.errors.push({
      field: 'privacyLevel',
      code: 'tiktok.privacy-not-offered',
      message: `This TikTok account does not offer "${TIKTOK_PRIVACY_LABELS[level]}". Choose one of: ${allowed}.`,
      // Privacy levels, not their English words, so the renderer can name them in its language.
      params: { level, offered: creator.privacy_level_options.join(',') },
    });
  }
  if (context.clientAudited === false) {
    issues.warnings.push({
      field: 'privacyLevel',
      code: 'tiktok.unaudited-account-private',
      message: 'Until TikTok approves the app, the TikTok account itself must be set to private when posting, or TikTok refuses the post.',
    });
  }
}

function checkInteractions(draft: TikTokPostDraft, creator: TikTokCreatorInfo | undefined, issues: TikTokValidation): void {
  if (!creator) return;
  // §1.2/§1.8: the creator's own settings win; the editor greys these out.
  const pairs = [
    ['allowComments', draft.allowComments, creator.comment_disabled, 'Comments', 'comments'],
    ['allowDuet', draft.allowDuet, creator.duet_disabled, 'Duets', 'duets'],
    ['allowStitch', draft.allowStitch, creator.stitch_disabled, 'Stitches', 'stitches'],
  ] as const;
  for (const [field, allowed, disabled, label, interaction] of pairs) {
    if (allowed === true && disabled) {
      issues.errors.push({
        field,
        code: 'tiktok.interaction-disabled',
        message: `${label} are turned off in this account's TikTok settings, so they cannot be allowed for this post.`,
        params: { interaction },
      });
    }
  }
}

function checkCommercial(draft: TikTokPostDraft, issues: TikTokValidation): void {
  const commercial = draft.commercialContent;
  if (!commercial?.disclosed) return;
  // §1.8: once the disclosure is on, staff must say which kind it is.
  if (!commercial.yourBrand && !commercial.brandedContent) {
    issues.errors.push({
      field: 'commercialContent',
      code: 'tiktok.commercial-kind-missing',
      message: 'You said this post promotes something. Say whether it promotes your own organisation, a third party, or both.',
    });
  }
  // §1.8 "Branded content cannot be SELF_ONLY."
  if (commercial.brandedContent && draft.privacyLevel === 'SELF_ONLY') {
    issues.errors.push({
      field: 'commercialContent',
      code: 'tiktok.branded-content-private',
      message: 'Branded content (promoting a third party) cannot be posted so that only the account owner sees it. Choose a wider audience or turn off "Branded content".',
    });
  }
}

function checkVideo(draft: TikTokPostDraft, creator: TikTokCreatorInfo | undefined, issues: TikTokValidation): void {
  const video = draft.video;
  if (!video) {
    issues.errors.push({ field: 'video', code: 'tiktok.video-missing', message: 'A TikTok post needs a video.' });
    return;
  }
  const L = TIKTOK_LIMITS;
  // §1.8 formats and codecs.
  if (!CONTAINERS.has(video.container)) {
    issues.errors.push({ field: 'video.container', code: 'tiktok.video-format', message: 'TikTok accepts MP4, MOV or WebM videos only.' });
  } else if (video.container !== 'mp4') {
    issues.warnings.push({ field: 'video.container', code: 'tiktok.video-format-not-recommended', message: 'TikTok recommends MP4; this video will still be accepted.' });
  }
  if (video.videoCodec !== undefined) {
    if (!CODECS.has(video.videoCodec)) {
      issues.errors.push({ field: 'video.videoCodec', code: 'tiktok.video-codec', message: 'TikTok accepts video encoded as H.264, H.265, VP8 or VP9 only. Ask for the video to be exported again as H.264.' });
    } else if (video.videoCodec !== 'h264') {
      issues.warnings.push({ field: 'video.videoCodec', code: 'tiktok.video-codec-not-recommended', message: 'TikTok recommends H.264 video; this one will still be accepted.' });
    }
  }
  // §1.8 "max 4 GB".
  if (video.sizeBytes > L.videoMaxBytes) {
    issues.errors.push({ field: 'video.sizeBytes', code: 'tiktok.video-too-large', message: `The video is larger than TikTok's limit of ${L.videoMaxBytes / 1e9} GB.`, params: { maxGb: L.videoMaxBytes / 1e9 } });
  }
  // §1.8: creator_info's max_video_post_duration_sec, never beyond the API's 10 minutes.
  const maxDuration = Math.min(creator?.max_video_post_duration_sec ?? L.videoApiMaxDurationSec, L.videoApiMaxDurationSec);
  if (video.durationSec > maxDuration) {
    issues.errors.push({
      field: 'video.durationSec',
      code: 'tiktok.video-too-long',
      message: `The video is ${formatDuration(video.durationSec)} long; ${creator ? 'this TikTok account' : 'TikTok'} accepts at most ${formatDuration(maxDuration)}.`,
      params: { duration: Math.round(video.durationSec), maxDuration: Math.round(maxDuration), ...(creator ? { variant: 'account' } : {}) },
    });
  } else if (!creator && video.durationSec > L.videoEveryoneDurationSec) {
    issues.warnings.push({
      field: 'video.durationSec',
      code: 'tiktok.video-long-for-some',
      message: `Every TikTok account can post ${formatDuration(L.videoEveryoneDurationSec)}, but only some can post ${formatDuration(video.durationSec)}. Airlock checks this account when you connect it.`,
      params: { everyoneDuration: L.videoEveryoneDurationSec, duration: Math.round(video.durationSec) },
    });
  }
  // §1.8 "23–60 fps".
  if (video.frameRate !== undefined && (video.frameRate < L.videoMinFps || video.frameRate > L.videoMaxFps)) {
    issues.errors.push({
      field: 'video.frameRate',
      code: 'tiktok.video-frame-rate',
      message: `The video runs at ${Math.round(video.frameRate)} frames per second; TikTok needs between ${L.videoMinFps} and ${L.videoMaxFps}.`,
      params: { fps: Math.round(video.frameRate), minFps: L.videoMinFps, maxFps: L.videoMaxFps },
    });
  }
  // §1.8 "360–4096 px on each side".
  for (const [side, px] of [['width', video.width], ['height', video.height]] as const) {
    if (px < L.videoMinSidePx || px > L.videoMaxSidePx) {
      issues.errors.push({
        field: `video.${side}`,
        code: 'tiktok.video-resolution',
        message: `The video is ${video.width}×${video.height} pixels; TikTok needs each side between ${L.videoMinSidePx} and ${number(L.videoMaxSidePx)} pixels.`,
        params: { width: video.width, height: video.height, minSide: L.videoMinSidePx, maxSide: L.videoMaxSidePx },
      });
      break;
    }
  }
  if (draft.coverTimestampMs !== undefined && (draft.coverTimestampMs < 0 || draft.coverTimestampMs > video.durationSec * 1000)) {
    issues.errors.push({ field: 'coverTimestampMs', code: 'tiktok.cover-outside-video', message: 'The cover frame must be a moment inside the video.' });
  }
}

function formatDuration(seconds: number): string {
  const whole = Math.round(seconds);
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  if (minutes === 0) return plural(rest, 'second', 'seconds');
  return rest === 0 ? plural(minutes, 'minute', 'minutes') : `${plural(minutes, 'minute', 'minutes')} ${plural(rest, 'second', 'seconds')}`;
}

/**
 * Checks a TikTok post against the platform's rules. `creatorInfo` (from creator_info, §1.2)
 * adds the account's own limits; without it only the platform-wide rules apply.
 */
export function validateTikTokPost(draft: TikTokPostDraft, creatorInfo?: TikTokCreatorInfo, context: TikTokValidationContext = {}): TikTokValidation {
  const issues: TikTokValidation = { errors: [], warnings: [] };
  checkVideo(draft, creatorInfo, issues);
  if ((draft.mode ?? 'direct') === 'inbox') {
    // §1.5: only the file goes; caption and audience are set in the TikTok app.
    issues.warnings.push({
      field: 'mode',
      code: 'tiktok.inbox-finish-in-app',
      message: 'This sends the video to the TikTok app as a draft. Someone signed in to the account must open the TikTok notification to add the caption and post it.',
    });
    return issues;
  }
  checkCaption(draft, issues);
  checkPrivacy(draft, creatorInfo, context, issues);
  checkInteractions(draft, creatorInfo, issues);
  checkCommercial(draft, issues);
  return issues;
}

/**
 * Sentences the confirmation screen must show before staff consent (§1.8 "Required UX").
 * The wording follows TikTok's content-sharing guidelines as remembered; platform-apis.md
 * names these declarations but does not quote them [U].
 */
export function tiktokDeclarations(draft: TikTokPostDraft): string[] {
  if ((draft.mode ?? 'direct') === 'inbox') {
    return ['After the upload, open the notification in the TikTok app to finish and post the video.'];
  }
  const lines: string[] = [];
  const commercial = draft.commercialContent;
  const branded = commercial?.disclosed === true && commercial.brandedContent;
  const ownBrand = commercial?.disclosed === true && commercial.yourBrand;
  if (branded) lines.push('Your video will be labeled as "Paid partnership".');
  else if (ownBrand) lines.push('Your video will be labeled as "Promotional content".');
  if (draft.aiGenerated) lines.push('Your video will be labeled "Creator labeled as AI-generated".');
  lines.push(branded ? "By posting, you agree to TikTok's Branded Content Policy and Music Usage Confirmation." : "By posting, you agree to TikTok's Music Usage Confirmation.");
  lines.push('After you publish, it may take a few minutes for the video to process and appear on the profile.');
  return lines;
}

/**
 * The §1.3 `post_info` for a draft that passed validation. Interaction toggles default to
 * off (§1.8 "start unchecked"), and the creator's disabled settings always win.
 */
export function toTikTokPostInfo(draft: TikTokPostDraft, creatorInfo?: TikTokCreatorInfo): TikTokVideoPostInfo {
  if (!draft.privacyLevel) throw new RangeError('A TikTok Direct Post needs a privacy level chosen by staff.');
  const commercial = draft.commercialContent;
  const info: TikTokVideoPostInfo = {
    title: draft.caption,
    privacy_level: draft.privacyLevel,
    disable_comment: !(draft.allowComments === true && creatorInfo?.comment_disabled !== true),
    disable_duet: !(draft.allowDuet === true && creatorInfo?.duet_disabled !== true),
    disable_stitch: !(draft.allowStitch === true && creatorInfo?.stitch_disabled !== true),
    brand_content_toggle: commercial?.disclosed === true && commercial.brandedContent,
    brand_organic_toggle: commercial?.disclosed === true && commercial.yourBrand,
    is_aigc: draft.aiGenerated === true,
  };
  if (draft.coverTimestampMs !== undefined) info.video_cover_timestamp_ms = Math.round(draft.coverTimestampMs);
  return info;
}

export interface TikTokPhotoFacts {
  /** From magic bytes. */
  format: 'jpeg' | 'webp' | (string & {});
  width: number;
  height: number;
  sizeBytes: number;
}

export interface TikTokPhotoDraft {
  title: string;
  description: string;
  images: TikTokPhotoFacts[];
}

/**
 * §1.6/§1.8 photo posts. TikTok only pulls photos from a verified public HTTPS address
 * (no file upload), so a kiosk without such hosting cannot post them at all.
 */
export function validateTikTokPhotoPost(draft: TikTokPhotoDraft): TikTokValidation {
  const issues: TikTokValidation = { errors: [], warnings: [] };
  const L = TIKTOK_LIMITS;
  const titleUnits = countCaptionUnits(draft.title);
  if (titleUnits > L.photoTitleUnits) {
    issues.errors.push({ field: 'title', code: 'tiktok.photo-title-too-long', message: `The photo post title is ${number(titleUnits)} characters; TikTok allows ${L.photoTitleUnits}.`, params: { used: titleUnits, limit: L.photoTitleUnits } });
  }
  const descriptionUnits = countCaptionUnits(draft.description);
  if (descriptionUnits > L.photoDescriptionUnits) {
    issues.errors.push({
      field: 'description',
      code: 'tiktok.photo-description-too-long',
      message: `The description is ${number(descriptionUnits)} characters; TikTok allows ${number(L.photoDescriptionUnits)}.`,
      params: { used: descriptionUnits, limit: L.photoDescriptionUnits },
    });
  }
  if (draft.images.length === 0 || draft.images.length > L.photoMaxImages) {
    issues.errors.push({ field: 'images', code: 'tiktok.photo-count', message: `A TikTok photo post needs between 1 and ${L.photoMaxImages} photos.`, params: { max: L.photoMaxImages } });
  }
  draft.images.forEach((image, i) => {
    const field = `images.${i}`;
    if (image.format !== 'jpeg' && image.format !== 'webp') {
      issues.errors.push({ field, code: 'tiktok.photo-format', message: `Photo ${i + 1}: TikTok accepts JPEG or WebP only (not PNG).`, params: { n: i + 1 } });
    }
    // §1.8 "at most 1080p": read as 1920×1080 in either orientation [U].
    if (Math.max(image.width, image.height) > 1920 || Math.min(image.width, image.height) > 1080) {
      issues.errors.push({ field, code: 'tiktok.photo-resolution', message: `Photo ${i + 1} is ${image.width}×${image.height}; TikTok accepts up to 1080p (1920×1080).`, params: { n: i + 1, width: image.width, height: image.height } });
    }
    if (image.sizeBytes > L.photoMaxBytes) {
      issues.errors.push({ field, code: 'tiktok.photo-too-large', message: `Photo ${i + 1} is larger than TikTok's ${L.photoMaxBytes / 1e6} MB limit.`, params: { n: i + 1, maxMb: L.photoMaxBytes / 1e6 } });
    }
  });
  return issues;
}

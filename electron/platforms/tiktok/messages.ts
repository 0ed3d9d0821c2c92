// What TikTok's error codes and failure reasons mean for the person at the kiosk, and what
// the publisher should do next. Codes come from §1.2–§1.7 of ../shared/platform-apis.md;
// the sentences are Airlock's, written for comms staff.

/**
 * `retry`: send the same request again after a pause. `later`: the account cannot post right
 * now; stop and tell staff to try later (§1.2 guidelines). `reconnect`: IT must reconnect the
 * account. `fix`: the post or the app setup must change first.
 */
export type TikTokNextStep = 'retry' | 'later' | 'reconnect' | 'fix';

export interface TikTokExplanation {
  message: string;
  next: TikTokNextStep;
}

const EXPLANATIONS: Record<string, TikTokExplanation> = {
  invalid_param: { next: 'fix', message: 'TikTok refused the post as Airlock sent it. Nothing was published. Ask IT to look at the details.' },
  invalid_params: { next: 'fix', message: 'TikTok refused the post as Airlock sent it. Nothing was published. Ask IT to look at the details.' },
  invalid_file_upload: { next: 'fix', message: 'TikTok refused the video upload. Nothing was published. Ask IT to look at the details.' },
  scope_permission_missed: { next: 'reconnect', message: 'The TikTok connection is missing a permission. Ask IT to reconnect the account and allow posting.' },
  spam_risk_too_many_posts: { next: 'later', message: 'This TikTok account has reached its daily posting limit. Try again tomorrow.' },
  spam_risk_user_banned_from_posting: { next: 'fix', message: 'TikTok has blocked this account from posting. Check the account in the TikTok app.' },
  spam_risk_too_many_pending_share: {
    next: 'later',
    message: 'Five drafts are already waiting in the TikTok app for this account. Finish or delete them in TikTok, then try again.',
  },
  reached_active_user_cap: { next: 'later', message: "TikTok's daily limit of accounts posting through this app has been reached. Try again tomorrow." },
  unaudited_client_can_only_post_to_private_accounts: {
    next: 'fix',
    message: "TikTok has not yet approved this organisation's app, so it can only post to a private account, visible to the owner only. Change the audience to \"Only the account owner\" and make the account private, or ask IT about TikTok's app audit.",
  },
  url_ownership_unverified: { next: 'fix', message: 'TikTok can only fetch media from a web address the organisation has verified with TikTok. Ask IT.' },
  privacy_level_option_mismatch: { next: 'fix', message: 'This TikTok account does not offer the audience chosen for the post. Choose another audience and try again.' },
  app_version_check_failed: { next: 'fix', message: 'The TikTok app on the phone is too old to receive drafts. Update the TikTok app and try again.' },
  access_token_invalid: { next: 'reconnect', message: 'The connection to TikTok has expired. Ask IT to reconnect the account.' },
  scope_not_authorized: { next: 'reconnect', message: 'The TikTok connection does not allow posting. Ask IT to reconnect the account and allow posting.' },
  rate_limit_exceeded: { next: 'retry', message: 'TikTok asked Airlock to slow down. Airlock will try again shortly.' },
  internal_error: { next: 'retry', message: 'TikTok had a problem on its side. Airlock will try again shortly.' },
  invalid_publish_id: { next: 'fix', message: 'TikTok does not know this upload. Ask IT to look at the details.' },
  token_not_authorized_for_specified_publish_id: { next: 'fix', message: 'This upload belongs to a different TikTok connection. Ask IT to look at the details.' },
  publish_not_cancellable: { next: 'fix', message: 'This TikTok upload can no longer be cancelled.' },
  // §1.7 fail_reason values.
  file_format_check_failed: { next: 'fix', message: 'TikTok could not read the video file. Ask for it to be exported again as an MP4 (H.264).' },
  duration_check_failed: { next: 'fix', message: 'The video is too long or too short for this TikTok account.' },
  frame_rate_check_failed: { next: 'fix', message: 'TikTok needs a frame rate between 23 and 60 frames per second. Ask for the video to be exported again.' },
  picture_size_check_failed: { next: 'fix', message: 'TikTok needs each side of the video to be between 360 and 4,096 pixels.' },
  internal: { next: 'retry', message: 'TikTok had a problem processing the video. Airlock will try again.' },
  video_pull_failed: { next: 'retry', message: 'TikTok could not fetch the video.' },
  photo_pull_failed: { next: 'retry', message: 'TikTok could not fetch the photos.' },
  publish_cancelled: { next: 'fix', message: 'The post was cancelled before it was published.' },
  auth_removed: { next: 'reconnect', message: 'The TikTok connection was removed while the video was processing. Ask IT to reconnect the account.' },
  spam_risk_text: { next: 'fix', message: 'TikTok flagged the caption. Change the caption and try again.' },
  spam_risk: { next: 'later', message: 'TikTok refused the post as a possible spam risk. Try again later.' },
  // §1.1 OAuth errors.
  invalid_grant: { next: 'reconnect', message: 'The connection to TikTok is no longer valid. Ask IT to reconnect the account.' },
  invalid_client: { next: 'fix', message: "TikTok did not accept the organisation's app credentials. Ask IT to check them." },
  invalid_request: { next: 'fix', message: 'TikTok refused the sign-in request. Ask IT to look at the details.' },
  access_denied: { next: 'fix', message: 'Access was not granted in TikTok. Connect the account again and allow access.' },
};

/** Plain-language meaning of a TikTok `error.code`, OAuth `error` or `fail_reason`. */
export function explainTikTokCode(code: string): TikTokExplanation {
  const known = Object.hasOwn(EXPLANATIONS, code) ? EXPLANATIONS[code] : undefined;
  return known ?? { next: 'fix', message: 'TikTok refused the post for a reason Airlock does not recognise. Nothing more will be sent. Ask IT to look at the details.' };
}

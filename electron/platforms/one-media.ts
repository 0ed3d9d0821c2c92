// For platforms where Airlock posts text alone, one photo or one video (Facebook Pages,
// LinkedIn): the post's one media item, or null for text, refused plainly when it is empty or
// carries more than one item.
import type { PublishMedia, PublishRequest } from './adapter.ts';
import type { PublishErrors } from './publish-error.ts';

export function oneMediaOrText(request: PublishRequest, errors: PublishErrors, label: string, where: string): PublishMedia | null {
  const { media } = request;
  if (media.length === 0) {
    if (!request.caption.trim()) throw errors.make('empty-post', `A ${label} post needs text, a photo or a video.`, 'no caption and no media', 'fix');
    return null;
  }
  if (media.length > 1) throw errors.make('one-media', `Airlock posts one photo or one video to ${where} at a time.`, `request has ${media.length} media items`, 'fix');
  return media[0]!;
}

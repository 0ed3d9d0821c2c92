// Each platform's rule verdicts in the active language: every code the rules can give is driven
// out of the rules themselves, English says what the rules wrote, Estonian says it in Estonian with
// the same values, and a code or a check the catalogue cannot use shows the rules' own sentence.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../common/errors.ts';
import { PLATFORM_IDS, type PlatformId } from '../../../common/platforms.ts';
import { checkPostForPlatform, COUNTER_LABELS, RULE_CODES, type PlatformCheck, type PostFacts, type PostMediaFacts, type RuleIssue } from '../../../electron/platforms/post-rules.ts';
import { validateTikTokPhotoPost, validateTikTokPost, type TikTokVideoFacts } from '../../../electron/platforms/tiktok/rules.ts';
import type { TikTokCreatorInfo } from '../../../electron/platforms/tiktok/protocol.ts';
import { PolicySchema } from '../../../electron/services/policy/policy.ts';
import { PostService } from '../../../electron/services/posts/post-service.ts';
import { openInlineStore } from '../../../electron/services/store/store.ts';
import en from '../../../renderer/src/i18n/en.json' with { type: 'json' };
import et from '../../../renderer/src/i18n/et.json' with { type: 'json' };
import { setLanguage } from '../../../renderer/src/i18n/index.ts';
import { counterLabel, ruleKey, ruleText, ruleTranslated } from '../../../renderer/src/i18n/rule-text.ts';
import { errorText } from '../../../renderer/src/i18n/service-text.ts';

type Catalogue = { [key: string]: string | Catalogue };
type Produced = RuleIssue & { platform: PlatformId };

const nbsp = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');
/**
 * Some rules write a limit as a bare number ("63206 characters"); the renderer groups the digits
 * of every number the way the language does ("63,206"), so English is compared without grouping.
 */
const ungrouped = (s: string) => s.replace(/(\d),(?=\d{3}\b)/g, '$1');

const image = (over: Partial<PostMediaFacts> = {}): PostMediaFacts => ({ kind: 'image', altText: null, width: 1000, height: 1000, durationMs: null, bytes: 1000, format: 'jpeg', ...over });
const video = (over: Partial<PostMediaFacts> = {}): PostMediaFacts => ({ kind: 'video', altText: null, width: 1080, height: 1920, durationMs: 30_000, bytes: 10_000_000, format: 'mp4', ...over });
const facts = (over: Partial<PostFacts>): PostFacts => ({ caption: 'Harbour day', media: [], options: {}, ...over });

/** Posts that between them break every rule each platform checks in the editor. */
const SCENARIOS: Record<PlatformId, PostFacts[]> = {
  tiktok: [facts({ caption: 'x'.repeat(2201) }), facts({ media: [video({ format: 'quicktime' })], options: { tiktok: { privacyLevel: 'PUBLIC_TO_EVERYONE' } } })],
  bluesky: [facts({ caption: 'x'.repeat(301), media: [image(), image(), image(), image(), image()] }), facts({ media: [video(), video()] })],
  mastodon: [facts({ caption: 'x'.repeat(501), media: [image({ altText: 'd'.repeat(1501) }), image(), image(), image(), video()] })],
  x: [
    facts({ caption: 'x'.repeat(281), media: [image(), image(), image(), image(), video()] }),
    facts({ media: [image({ altText: 'A bench' }), image({ altText: 'd'.repeat(1001) })] }),
    facts({ media: [video({ altText: 'Ferry leaving the harbour' })] }),
  ],
  youtube: [facts({ options: { youtube: {} } }), facts({ media: [video()], options: { youtube: { title: `${'t'.repeat(100)}<`, privacy: 'friends', description: 'é'.repeat(2501) } } })],
  facebook: [
    facts({ options: { facebook: { format: 'story' } } }),
    facts({ caption: 'x'.repeat(63_207), media: [image(), video()] }),
    facts({ caption: ' ' }),
    facts({ media: [image({ bytes: 11 * 1024 ** 2, format: 'webp' })] }),
    facts({ media: [video({ bytes: 11 * 1024 ** 3, durationMs: 241 * 60_000 })] }),
    facts({ media: [], options: { facebook: { format: 'reel' } } }),
    facts({ media: [video({ durationMs: 2000, width: 1920, height: 1080 })], options: { facebook: { format: 'reel' } } }),
    facts({ caption: 'x'.repeat(63_207), media: [video({ durationMs: 100_000, width: 360, height: 640 })], options: { facebook: { format: 'reel' } } }),
  ],
  instagram: [
    facts({ caption: `${'#tag '.repeat(31)}${'@someone '.repeat(21)}${'x'.repeat(2000)}` }),
    facts({ media: [video({ format: 'webm', bytes: 301 * 1024 ** 2, durationMs: 2000, width: 2000 })] }),
  ],
  linkedin: [
    facts({ caption: 'x'.repeat(3001), media: [image(), video()] }),
    facts({ caption: '' }),
    facts({ media: [image({ bytes: 6 * 1024 ** 2, format: 'webp' })] }),
    facts({ media: [video({ format: 'webm', bytes: 501 * 1024 ** 2, durationMs: 2000, width: 3000, height: 1000 })] }),
  ],
};

const tiktokVideo: TikTokVideoFacts = { sizeBytes: 5e9, durationSec: 700, width: 100, height: 5000, frameRate: 10, container: 'avi', videoCodec: 'mpeg2' };
const creator: TikTokCreatorInfo = {
  creator_avatar_url: '',
  creator_username: 'harbour',
  creator_nickname: 'Harbour',
  privacy_level_options: ['PUBLIC_TO_EVERYONE', 'SELF_ONLY'],
  comment_disabled: true,
  duet_disabled: true,
  stitch_disabled: true,
  max_video_post_duration_sec: 300,
};

/** TikTok's rules with what the editor does not know yet: the account's own settings, an app not yet audited, inbox drafts, photo posts. */
function tiktokRulesBeyondTheEditor(): RuleIssue[] {
  const commercial = { disclosed: true, yourBrand: false, brandedContent: false };
  const results = [
    validateTikTokPost(
      { caption: 'x', privacyLevel: 'FOLLOWER_OF_CREATOR', allowComments: true, allowDuet: true, allowStitch: true, commercialContent: commercial, coverTimestampMs: 999_999_999, video: tiktokVideo },
      creator,
      { clientAudited: false },
    ),
    validateTikTokPost({ caption: 'x', privacyLevel: 'SELF_ONLY', commercialContent: { ...commercial, brandedContent: true }, video: { ...tiktokVideo, container: 'mov', videoCodec: 'h265', durationSec: 300, width: 1080, height: 1920, frameRate: 30, sizeBytes: 1000 } }),
    validateTikTokPost({ caption: 'x', privacyLevel: 'SELF_ONLY', video: { ...tiktokVideo, container: 'mp4', durationSec: 700 } }),
    validateTikTokPost({ caption: 'x', mode: 'inbox' }),
    validateTikTokPhotoPost({ title: 'x'.repeat(91), description: 'x'.repeat(4001), images: [] }),
    validateTikTokPhotoPost({ title: 'x', description: 'x', images: [{ format: 'png', width: 4000, height: 3000, sizeBytes: 30e6 }] }),
  ];
  return results.flatMap((r) => [...r.errors, ...r.warnings]);
}

let checks: PlatformCheck[];
let produced: Produced[];

beforeAll(() => {
  checks = PLATFORM_IDS.flatMap((platform) => SCENARIOS[platform].map((f) => checkPostForPlatform(platform, f)));
  produced = [
    ...checks.flatMap((c) => [...c.errors, ...c.warnings].map((i) => ({ ...i, platform: c.platform }))),
    ...tiktokRulesBeyondTheEditor().map((i) => ({ ...i, platform: 'tiktok' as const })),
  ];
});

afterAll(async () => {
  await setLanguage('en');
});

function entry(catalogue: Catalogue, key: string): string | undefined {
  const found = key.split('.').reduce<string | Catalogue | undefined>((node, part) => (typeof node === 'object' ? node[part] : undefined), catalogue);
  return typeof found === 'string' ? found : undefined;
}

/** The catalogue entries an issue is said with: its key, or each of its plural forms. */
function entries(catalogue: Catalogue, key: string): string[] {
  const plain = entry(catalogue, key);
  return plain !== undefined ? [plain] : (['one', 'other'].map((form) => entry(catalogue, `${key}_${form}`)).filter((v) => v !== undefined) as string[]);
}

const placeholders = (value: string) => [...value.matchAll(/\{\{\s*(\w+)\s*(?:,[^}]*)?\}\}/g)].map((m) => m[1]).sort();

describe('platform rule issues in the active language', () => {
  it('drives every code each platform lists out of its rules, and no code it does not list', () => {
    for (const platform of PLATFORM_IDS) {
      const given = new Set(produced.filter((i) => i.platform === platform).map((i) => i.code));
      expect([...given].filter((code) => !RULE_CODES[platform].includes(code)), platform).toEqual([]);
      expect(RULE_CODES[platform].filter((code) => !given.has(code)), platform).toEqual([]);
    }
  });

  it('has an English and an Estonian entry for every issue, with the same placeholders, each given by the issue', () => {
    for (const issue of produced) {
      const key = ruleKey(issue);
      const english = entries(en as Catalogue, key);
      const estonian = entries(et as Catalogue, key);
      expect(english.length, key).toBeGreaterThan(0);
      expect(estonian.length, key).toBe(english.length);
      for (const [i, value] of english.entries()) expect(placeholders(estonian[i]!), key).toEqual(placeholders(value));
      expect(ruleTranslated(issue), `${key} ${JSON.stringify(issue.params)}`).toBe(true);
    }
  });

  it('says in English what the rules wrote', async () => {
    await setLanguage('en');
    for (const issue of produced) expect(ungrouped(ruleText(issue)), issue.code).toBe(ungrouped(issue.message));
  });

  it('says every issue in Estonian, with Estonian numbers, durations and audiences', async () => {
    await setLanguage('et');
    for (const issue of produced) {
      const text = ruleText(issue);
      expect(text, issue.code).not.toBe(issue.message);
      expect(text, issue.code).not.toMatch(/\{\{|\}\}/);
    }
    const said = (code: string, variant?: string) => nbsp(ruleText(produced.find((i) => i.code === code && i.params?.variant === variant)!));
    expect(said('bluesky.too-long')).toBe('Bluesky lubab 300 tähemärki; selles tekstis on 301.');
    expect(said('bluesky.alt-missing')).toBe('Foto 1 vajab Bluesky jaoks kirjeldust (alternatiivteksti).');
    expect(said('bluesky.alt-missing', 'video')).toBe('Videol pole kirjeldust (alternatiivteksti); lisa see, et kõik saaksid sisust aru.');
    expect(said('facebook.too-long')).toBe('Facebook lubab 63 206 tähemärki; selles tekstis on 63 207.');
    expect(said('facebook.reel-too-small')).toBe('Facebooki Reel peab olema vähemalt 540 × 960 pikslit; see on 360 × 640.');
    expect(said('tiktok.caption-too-long')).toBe(
      'TikToki arvestuses on tekstis 2201 tähemärki; lubatud on 2200. Lühenda seda 1 tähemärgi võrra. Emojid ja mõned täpitähed loevad kahe või enama tähemärgina.',
    );
    expect(said('tiktok.video-too-long', 'account')).toBe('Video on 11 minutit 40 sekundit pikk; see TikToki konto võtab vastu kuni 5 minutit.');
    expect(said('tiktok.video-too-long')).toBe('Video on 11 minutit 40 sekundit pikk; TikTok võtab vastu kuni 10 minutit.');
    expect(said('tiktok.video-long-for-some')).toBe(
      'Iga TikToki konto saab postitada kuni 3 minutit pikki videoid, kuid 5 minutit pikki videoid saavad postitada ainult mõned kontod. Airlock kontrollib seda kontot, kui selle ühendad.',
    );
    expect(said('tiktok.privacy-not-offered')).toBe('See TikToki konto ei paku valikut „Jälgijad“. Vali üks neist: „Kõik“, „Ainult konto omanik“.');
    expect(said('tiktok.interaction-disabled')).toBe('Kommentaarid on selle konto TikToki seadetes välja lülitatud, seega ei saa neid selle postituse jaoks lubada.');
    expect(said('linkedin.video-shape')).toBe('LinkedIn võtab vastu videoid, mille külgede suhe on 1:2,4 (püstine) kuni 2,4:1 (lai).');
    expect(said('mastodon.alt-missing')).toBe('2. failil pole kirjeldust (alternatiivteksti).');
    expect(said('x.alt-too-long')).toBe('Foto 2 kirjeldus on 1001 tähemärki pikk; X lubab 1000.');
    expect(said('x.alt-video-not-sent')).toBe('X näitab kirjeldusi ainult fotode ja GIF-ide juures, seega läheb see video X-i ilma kirjelduseta.');
  });

  it('shows the rules\' own sentence for a code the catalogue does not know, or an issue without the values its sentence needs', async () => {
    await setLanguage('et');
    const future = { code: 'tiktok.future-rule', message: 'A rule TikTok added later.' };
    expect(ruleTranslated(future)).toBe(false);
    expect(ruleText(future)).toBe('A rule TikTok added later.');
    // The editor's own sentence about an audience the account does not offer, already in Estonian.
    const editorSaid = { code: 'tiktok.privacy-not-offered', message: 'See konto ei paku valikut „Jälgijad“. Vali üks neist, mida konto pakub.' };
    expect(ruleText(editorSaid)).toBe(editorSaid.message);
    const stored = { code: 'bluesky.too-long', message: 'Bluesky allows 300 characters; this caption has 301.' };
    expect(ruleText(stored)).toBe(stored.message);
    expect(ruleText({ code: 'bluesky.one-video', message: 'A Bluesky post can have one video, without photos.' })).toBe('Bluesky postitusel võib olla üks video, ilma fotodeta.');
  });
});

describe('platform counters in the active language', () => {
  it('counts only what the renderer can name, in English as the rules say it and in Estonian in Estonian', async () => {
    const labels = new Set(checks.flatMap((c) => c.counters.map((k) => k.label)));
    expect([...labels].sort()).toEqual([...COUNTER_LABELS].sort());
    await setLanguage('en');
    for (const label of labels) expect(counterLabel(label)).toBe(label);
    await setLanguage('et');
    expect(COUNTER_LABELS.map(counterLabel)).toEqual(['tähemärki', 'teemaviidet', 'pealkiri', 'kirjeldus baitides']);
    expect(counterLabel('words')).toBe('words');
  });
});

describe('a submission refused over a platform rule', () => {
  it('names the platform and the rule in Estonian, and keeps the service sentence in English', async () => {
    const service = new PostService({
      store: openInlineStore(':memory:'),
      policy: PolicySchema.parse({ policyVersion: 1, platforms: ['bluesky'] }),
      now: () => new Date('2026-11-21T10:00:00Z'),
      authorize: () => {},
    });
    const actor = { staffId: 'ann', name: 'Ann Author', role: 'author' as const };
    const post = await service.create(actor, { caption: 'x'.repeat(301), targets: ['bluesky'], media: [] });
    const refused = await service.submit(actor, post.id, post.version).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(AirlockError);
    // Through the API as a plain value, the way the renderer receives it.
    const value = JSON.parse(JSON.stringify((refused as AirlockError).toValue())) as ReturnType<AirlockError['toValue']>;
    expect(value.code).toBe('post.rules');
    await setLanguage('en');
    expect(errorText(value)).toBe('This post cannot be submitted yet: bluesky: Bluesky allows 300 characters; this caption has 301.');
    await setLanguage('et');
    expect(errorText(value)).toBe('Seda postitust ei saa veel kinnitamiseks saata. Bluesky: Bluesky lubab 300 tähemärki; selles tekstis on 301.');
    // A refusal without the rule's values (an older service) says the general sentence.
    expect(errorText({ code: 'post.rules', message: value.message })).toBe('Postitus rikub mõne valitud platvormi reeglit. Vaata kontrollide tulemusi.');
  });
});

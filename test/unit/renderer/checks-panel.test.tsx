// The editor's per-platform counters in the active language: the label and the numbers, each
// written the way the language writes numbers.
import { renderToStaticMarkup } from 'react-dom/server';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPostForPlatform } from '../../../electron/platforms/post-rules.ts';
import { setLanguage } from '../../../renderer/src/i18n/index.ts';
import { ChecksPanel } from '../../../renderer/src/screens/posts/ChecksPanel.tsx';

afterAll(() => setLanguage('en'));

// A YouTube description near its byte limit gives a five-digit counter.
const facts = { caption: 'Harbour day', options: { youtube: { title: 'Harbour day', description: 'x'.repeat(4321) } }, media: [] };
const text = (html: string) => html.replace(/<[^>]+>/g, '').replace(/[\u00a0\u202f]/g, ' ');

describe('the checks panel', () => {
  it('writes the counters with English digit grouping', async () => {
    await setLanguage('en');
    const html = renderToStaticMarkup(<ChecksPanel checks={[{ ...checkPostForPlatform('tiktok', facts), platform: 'tiktok' }, { ...checkPostForPlatform('youtube', facts), platform: 'youtube' }]} checking={false} />);
    expect(text(html)).toContain('TikTok 11/2,200 characters');
    expect(text(html)).toMatch(/4,321\/5,000/);
  });

  it('writes them the Estonian way, with Estonian labels', async () => {
    await setLanguage('et');
    const checks = (['facebook', 'youtube'] as const).map((platform) => ({ ...checkPostForPlatform(platform, facts), platform }));
    const html = text(renderToStaticMarkup(<ChecksPanel checks={checks} checking={false} />));
    // Estonian groups digits from five up, with a space.
    expect(html).toContain('Facebook 11/63 206 tähemärki');
    expect(html).toContain('kirjeldus baitides 4321/5000');
    expect(html).not.toContain('description bytes');
  });
});

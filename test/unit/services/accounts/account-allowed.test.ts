// The policy's `accounts` list: handles, with or without @ and in any case, or the platform's id.
import { describe, expect, it } from 'vitest';
import { accountAllowed } from '../../../../electron/services/accounts/account-allowed.ts';

describe('accountAllowed', () => {
  const tiktok = { accountId: 'open-harbour', displayName: 'Harbour City (@harbourcity)' };
  const mastodon = { accountId: '10923', displayName: 'Harbour News (@news@social.harbour.example)' };
  const linkedin = { accountId: 'urn:li:organization:4200042', displayName: 'Harbour City Council' };

  it.each([
    [['@harbourcity'], tiktok],
    [['HarbourCity'], tiktok],
    [['open-harbour'], tiktok],
    [['@someone', '@harbourcity'], tiktok],
    [['@news@social.harbour.example'], mastodon],
    [['10923'], mastodon],
    [['@harbour.bsky.social'], { accountId: 'did:plc:abc', displayName: '@harbour.bsky.social' }],
    // A LinkedIn organisation by its full URN or its number alone.
    [['urn:li:organization:4200042'], linkedin],
    [['4200042'], linkedin],
  ])('allows %j', (allowed, account) => {
    expect(accountAllowed(allowed, account)).toBe(true);
  });

  it.each([
    [['@harbourcity2'], tiktok],
    [['harbour'], tiktok],
    [['Harbour City'], { accountId: 'x1', displayName: 'Harbour City Fans (@fans)' }],
    [['@news'], mastodon],
    [['@news@other.example'], mastodon],
    [['Harbour City'], tiktok],
    // A nickname is the owner's to choose; only the real handle at the end counts.
    [['@harbourcity'], { accountId: 'open-evil', displayName: 'Evil (@harbourcity) (@evil)' }],
    [['Harbour City'], { accountId: 'UCabc', displayName: 'Harbour City' }],
    [['420004'], linkedin],
    [['urn:li:organization:4200043'], linkedin],
    [['Harbour City Council'], linkedin],
  ])('refuses %j', (allowed, account) => {
    expect(accountAllowed(allowed, account)).toBe(false);
  });
});

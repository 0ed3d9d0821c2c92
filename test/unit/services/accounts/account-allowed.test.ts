// The policy's `accounts` list: handles, with or without @ and in any case, or the platform's id.
import { describe, expect, it } from 'vitest';
import { accountAllowed } from '../../../../electron/services/accounts/account-allowed.ts';

describe('accountAllowed', () => {
  const tiktok = { accountId: 'open-harbour', displayName: 'Harbour City (@harbourcity)' };
  const mastodon = { accountId: '10923', displayName: 'Harbour News (@news@social.harbour.example)' };

  it.each([
    [['@harbourcity'], tiktok],
    [['HarbourCity'], tiktok],
    [['open-harbour'], tiktok],
    [['@someone', '@harbourcity'], tiktok],
    [['@news@social.harbour.example'], mastodon],
    [['10923'], mastodon],
    [['@harbour.bsky.social'], { accountId: 'did:plc:abc', displayName: '@harbour.bsky.social' }],
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
  ])('refuses %j', (allowed, account) => {
    expect(accountAllowed(allowed, account)).toBe(false);
  });
});

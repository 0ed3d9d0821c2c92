// The policy's `accounts` list: which accounts of a platform this kiosk may connect and use.
/**
 * Whether an account is on the list. Entries are handles ("@harbourcity", "@news@social.example")
 * or the platform's own account id (a YouTube channel id), compared without case or a leading @.
 * The handle is read only from where Airlock's connect code puts it: the whole display name
 * ("@harbour.bsky.social") or its final "(@handle)". A nickname is chosen by the account's owner,
 * so "Evil (@harbourcity)" as a nickname still ends in the account's real handle. An id that is a
 * URN (a LinkedIn organisation, `urn:li:organization:4200042`) also matches by its number alone.
 */
export function accountAllowed(allowed: readonly string[], account: { accountId: string; displayName: string }): boolean {
  const norm = (v: string) => v.trim().replace(/^@/, '').toLowerCase();
  const name = account.displayName.trim();
  const handle = /^@[^\s()]+$/.test(name) ? name : (/\((@[^\s()]+)\)$/.exec(name)?.[1] ?? null);
  const urnId = /^urn:li:[A-Za-z]+:([^:]+)$/.exec(account.accountId)?.[1];
  const names = new Set([account.accountId, ...(urnId ? [urnId] : []), ...(handle ? [handle] : [])].map(norm));
  return allowed.some((entry) => names.has(norm(entry)));
}

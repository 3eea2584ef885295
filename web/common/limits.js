// limits.js -- caps the vault and the dashboard share; imports nothing, so
// that the dashboard's workers can read them without loading the vault.

// The longest href, rawHref or referrer (in UTF-16 code units) the vault
// sends and the dashboard counts; a longer one is left out.
export const MAX_URL = 2000;

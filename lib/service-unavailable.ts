// What people are told while the database is out of reach, shared by the API's 503 (lib/errors.ts) and the pages'
// error boundaries (app/error.tsx, app/global-error.tsx). No imports: the boundaries are client components.

/** The digest a server error carries across to the error boundary when the database is out of reach. */
export const DATABASE_UNAVAILABLE_DIGEST = "QBC_DATABASE_UNAVAILABLE";

export const DATABASE_UNAVAILABLE_TITLE = "QuickBooks Connect can't reach its database right now";
export const DATABASE_UNAVAILABLE_MESSAGE = "QuickBooks Connect can't reach its database right now. Nothing was changed; try again in a few seconds.";

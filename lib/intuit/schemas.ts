// Zod schemas for everything Intuit sends. An unexpected shape becomes a typed error at the edge,
// not an undefined three calls later. Objects are loose where Intuit adds fields over time.

import { z } from "zod";

/** Intuit's discovery document (intuit.md §1). No PKCE methods today; the field stays optional. */
export const discoveryDocumentSchema = z.looseObject({
  issuer: z.url(),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  revocation_endpoint: z.url(),
  userinfo_endpoint: z.url().optional(),
  jwks_uri: z.url().optional(),
  response_types_supported: z.array(z.string()).optional(),
  scopes_supported: z.array(z.string()).optional(),
  token_endpoint_auth_methods_supported: z.array(z.string()).optional(),
  id_token_signing_alg_values_supported: z.array(z.string()).optional(),
  claims_supported: z.array(z.string()).optional(),
  code_challenge_methods_supported: z.array(z.string()).optional(),
});
export type DiscoveryDocument = z.infer<typeof discoveryDocumentSchema>;

const seconds = z.coerce.number().int().nonnegative();

/** Token endpoint success (intuit.md §3). `x_refresh_token_hard_expires_in` only when asked for by header. */
export const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  token_type: z.string().refine((value) => value.toLowerCase() === "bearer", "token_type must be bearer"),
  expires_in: seconds,
  x_refresh_token_expires_in: seconds,
  x_refresh_token_hard_expires_in: seconds.optional(),
  id_token: z.string().min(1).optional(),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

/** `{"error":"invalid_grant","error_description":"Token invalid"}` */
export const oauthErrorResponseSchema = z.looseObject({
  error: z.string().min(1),
  error_description: z.string().optional(),
});
export type OAuthErrorResponse = z.infer<typeof oauthErrorResponseSchema>;

const addressSchema = z.looseObject({
  Id: z.string().optional(),
  Line1: z.string().optional(),
  Line2: z.string().optional(),
  City: z.string().optional(),
  CountrySubDivisionCode: z.string().optional(),
  PostalCode: z.string().optional(),
  Country: z.string().optional(),
});

export const companyInfoSchema = z.looseObject({
  Id: z.string().min(1),
  SyncToken: z.string().optional(),
  CompanyName: z.string().min(1),
  LegalName: z.string().optional(),
  CompanyAddr: addressSchema.optional(),
  LegalAddr: addressSchema.optional(),
  PrimaryPhone: z.looseObject({ FreeFormNumber: z.string().optional() }).optional(),
  Email: z.looseObject({ Address: z.string().optional() }).optional(),
  Country: z.string().optional(),
  FiscalYearStartMonth: z.string().optional(),
  NameValue: z.array(z.looseObject({ Name: z.string(), Value: z.string() })).optional(),
  MetaData: z
    .looseObject({ CreateTime: z.string().optional(), LastUpdatedTime: z.string().optional() })
    .optional(),
});
export type CompanyInfoRecord = z.infer<typeof companyInfoSchema>;

export const companyInfoResponseSchema = z.looseObject({
  CompanyInfo: companyInfoSchema,
  time: z.string().optional(),
});

// Intuit's two fault dialects say the same thing (a list of errors, each with a message, a detail and a code, and a
// type); only the case of the keys differs, so the fields are written once and each dialect names its keys.
const faultText = z.string().nullish();
const faultCode = z.union([z.string(), z.number()]).nullish();

/** Data-service faults: `{"Fault":{"Error":[{"Message","Detail","code"}],"type"},"time"}`. */
export const serviceFaultSchema = z.looseObject({
  Fault: z.looseObject({
    Error: z.array(z.looseObject({ Message: faultText, Detail: faultText, code: faultCode, element: faultText })),
    type: faultText,
  }),
});

/** Gateway faults, lowercase: `{"fault":{"error":[{"message":"message=…; errorCode=003200; statusCode=401",…}]}}`. */
export const gatewayFaultSchema = z.looseObject({
  fault: z.looseObject({
    error: z.array(z.looseObject({ message: faultText, detail: faultText, code: faultCode, element: faultText })),
    type: faultText,
  }),
});

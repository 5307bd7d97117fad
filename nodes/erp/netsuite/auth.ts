// NetSuite REST authentication: OAuth 2.0 machine-to-machine (client credentials with a JWT assertion signed by
// the certificate's private key) or token-based authentication (OAuth 1.0a, HMAC-SHA256). Not yet verified
// against a live account: built to Oracle's documentation (see shared/reference/erp-apis.md §2.1).
import { createHmac, randomBytes } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import { importPKCS8, SignJWT } from 'jose';
import { requestToken, tokenCache } from '../shared/http.ts';

export type NetSuiteAuth =
  | { type: 'oauth2-m2m'; clientId: string; certificateId: string; privateKeyPem: string; algorithm?: 'PS256' | 'RS256' | 'ES256'; scope?: string[] }
  | { type: 'tba'; consumerKey: string; consumerSecret: string; tokenId: string; tokenSecret: string };

/** The client assertion NetSuite's token endpoint expects (header kid = certificate id, aud = token URL), signed by jose. */
export async function clientAssertion(
  a: Extract<NetSuiteAuth, { type: 'oauth2-m2m' }>,
  tokenUrl: string,
  nowS = Math.floor(Date.now() / 1000),
): Promise<string> {
  const alg = a.algorithm ?? 'PS256';
  return new SignJWT({ scope: a.scope ?? ['rest_webservices'] })
    .setProtectedHeader({ alg, typ: 'JWT', kid: a.certificateId })
    .setIssuer(a.clientId)
    .setAudience(tokenUrl)
    .setIssuedAt(nowS)
    .setExpirationTime(nowS + 3600)
    .sign(await importPKCS8(a.privateKeyPem, alg));
}

/** OAuth 1.0a Authorization header for TBA (oauth-1.0a, HMAC-SHA256); `realm` is the account id as NetSuite spells it (e.g. 1234567_SB1). */
export function tbaHeader(
  a: Extract<NetSuiteAuth, { type: 'tba' }>,
  realm: string,
  method: string,
  url: string,
  nonce = randomBytes(16).toString('hex'),
  ts = Math.floor(Date.now() / 1000),
): string {
  const oauth = new OAuth({
    consumer: { key: a.consumerKey, secret: a.consumerSecret },
    signature_method: 'HMAC-SHA256',
    hash_function: (base, key) => createHmac('sha256', key).update(base).digest('base64'),
    realm,
  });
  // The library draws its own nonce and time; these are passed in so a signature can be checked against a known value.
  oauth.getNonce = () => nonce;
  oauth.getTimeStamp = () => ts;
  return oauth.toHeader(oauth.authorize({ url, method: method.toUpperCase() }, { key: a.tokenId, secret: a.tokenSecret })).Authorization;
}

export function netsuiteAuth(auth: NetSuiteAuth, accountId: string, baseUrl: string) {
  if (auth.type === 'tba') {
    return {
      headers: async (req: { method: string; url: string }) => ({ authorization: tbaHeader(auth, accountId.toUpperCase(), req.method, req.url) }),
      invalidate: () => {},
      secrets: [auth.consumerSecret, auth.tokenSecret],
    };
  }
  const tokenUrl = `${baseUrl.replace(/\/$/, '')}/auth/oauth2/v1/token`;
  const cache = tokenCache(async () =>
    requestToken('netsuite', tokenUrl, {
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await clientAssertion(auth, tokenUrl),
    }),
  );
  return { headers: async () => ({ authorization: `Bearer ${await cache.get()}` }), invalidate: () => cache.invalidate(), secrets: [auth.privateKeyPem] };
}

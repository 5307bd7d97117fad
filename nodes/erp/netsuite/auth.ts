// NetSuite REST authentication: OAuth 2.0 machine-to-machine (client credentials with a JWT assertion signed by
// the certificate's private key) or token-based authentication (OAuth 1.0a, HMAC-SHA256). Not yet verified
// against a live account: built to Oracle's documentation (see shared/reference/erp-apis.md §2.1).
import { createHmac, randomBytes, sign, constants } from 'node:crypto';
import { requestToken, tokenCache } from '../shared/http.ts';

export type NetSuiteAuth =
  | { type: 'oauth2-m2m'; clientId: string; certificateId: string; privateKeyPem: string; algorithm?: 'PS256' | 'RS256' | 'ES256'; scope?: string[] }
  | { type: 'tba'; consumerKey: string; consumerSecret: string; tokenId: string; tokenSecret: string };

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** The client assertion NetSuite's token endpoint expects (header kid = certificate id, aud = token URL). */
export function clientAssertion(a: Extract<NetSuiteAuth, { type: 'oauth2-m2m' }>, tokenUrl: string, nowS = Math.floor(Date.now() / 1000)): string {
  const alg = a.algorithm ?? 'PS256';
  const header = b64url(JSON.stringify({ alg, typ: 'JWT', kid: a.certificateId }));
  const payload = b64url(JSON.stringify({ iss: a.clientId, scope: a.scope ?? ['rest_webservices'], aud: tokenUrl, iat: nowS, exp: nowS + 3600 }));
  const data = Buffer.from(`${header}.${payload}`);
  const key: Parameters<typeof sign>[2] =
    alg === 'PS256' ? { key: a.privateKeyPem, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
      : alg === 'ES256' ? { key: a.privateKeyPem, dsaEncoding: 'ieee-p1363' } : a.privateKeyPem;
  return `${header}.${payload}.${b64url(sign('sha256', data, key))}`;
}

const pct = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** OAuth 1.0a Authorization header for TBA; `realm` is the account id as NetSuite spells it (e.g. 1234567_SB1). */
export function tbaHeader(a: Extract<NetSuiteAuth, { type: 'tba' }>, realm: string, method: string, url: string, nonce = randomBytes(16).toString('hex'), ts = Math.floor(Date.now() / 1000)): string {
  const u = new URL(url);
  const oauth: Record<string, string> = {
    oauth_consumer_key: a.consumerKey, oauth_token: a.tokenId, oauth_nonce: nonce, oauth_timestamp: String(ts),
    oauth_signature_method: 'HMAC-SHA256', oauth_version: '1.0',
  };
  const params = [...u.searchParams.entries(), ...Object.entries(oauth)].map(([k, v]) => [pct(k), pct(v)]).sort((x, y) => (x[0] === y[0] ? (x[1] < y[1] ? -1 : 1) : x[0] < y[0] ? -1 : 1));
  const base = [method.toUpperCase(), pct(`${u.origin}${u.pathname}`), pct(params.map(([k, v]) => `${k}=${v}`).join('&'))].join('&');
  const signature = createHmac('sha256', `${pct(a.consumerSecret)}&${pct(a.tokenSecret)}`).update(base).digest('base64');
  const fields = { realm, ...oauth, oauth_signature: signature };
  return `OAuth ${Object.entries(fields).map(([k, v]) => `${k}="${k === 'realm' ? v : pct(v)}"`).join(', ')}`;
}

export function netsuiteAuth(auth: NetSuiteAuth, accountId: string, baseUrl: string) {
  if (auth.type === 'tba') {
    return { headers: async (req: { method: string; url: string }) => ({ authorization: tbaHeader(auth, accountId.toUpperCase(), req.method, req.url) }), invalidate: () => {}, secrets: [auth.consumerSecret, auth.tokenSecret] };
  }
  const tokenUrl = `${baseUrl.replace(/\/$/, '')}/auth/oauth2/v1/token`;
  const cache = tokenCache(() => requestToken('netsuite', tokenUrl, {
    grant_type: 'client_credentials',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: clientAssertion(auth, tokenUrl),
  }));
  return { headers: async () => ({ authorization: `Bearer ${await cache.get()}` }), invalidate: () => cache.invalidate(), secrets: [auth.privateKeyPem] };
}

/**
 * A real OpenID Connect provider for tests (panva's oidc-provider, the certified implementation) on a loopback
 * port: discovery, authorization with PKCE, token endpoint, signed ID tokens, JWKS, end-session. Its development
 * login form takes any login name as the account id; accounts' claims come from `accounts`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

export interface TTestIdp {
  issuer: string;
  clientId: string;
  /** Account id (what is typed into the login form) → its claims. */
  accounts: Map<string, Record<string, unknown>>;
  /** Follows the browser's path from the authorization URL through the login form to the app's callback URL. */
  signIn(authorizationUrl: string, login: string, opts?: { abort?: boolean }): Promise<URL>;
  close(): Promise<void>;
}

export async function startTestIdp(opts: { redirectUris: string[]; postLogoutRedirectUris?: string[] }): Promise<TTestIdp> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'test-1', use: 'sig', alg: 'RS256' };
  const accounts = new Map<string, Record<string, unknown>>();
  const server: Server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'dashboard';

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        token_endpoint_auth_method: 'none', // a public client: PKCE is what protects the code
        redirect_uris: opts.redirectUris,
        post_logout_redirect_uris: opts.postLogoutRedirectUris ?? [],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    pkce: { required: () => true },
    ttl: { Interaction: 600, Grant: 600, Session: 600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    jwks: { keys: [jwk] },
    cookies: { keys: ['test-only-cookie-key'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    conformIdTokenClaims: false, // the email in the ID token, as Cognito sends it
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, ...(accounts.get(sub) ?? {}) }) }),
    // First-party: no consent screen, as with Cognito.
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  server.on('request', provider.callback());

  const cookieJar = new Map<string, string>();
  const remember = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      cookieJar.set(pair.slice(0, at), pair.slice(at + 1));
    }
  };
  const cookieHeader = () => [...cookieJar].map(([k, v]) => `${k}=${v}`).join('; ');

  async function signIn(authorizationUrl: string, login: string, o: { abort?: boolean } = {}): Promise<URL> {
    cookieJar.clear();
    let url = new URL(authorizationUrl);
    for (let hop = 0; hop < 10; hop++) {
      if (url.origin !== issuer) return url; // back at the app
      let res = await fetch(url, { redirect: 'manual', headers: { cookie: cookieHeader() } });
      remember(res);
      if (res.status === 200) {
        // The login form: post the account id, or abort as a user who cancels.
        const page = await res.text();
        const action = /action="([^"]+)"/.exec(page)?.[1];
        if (!action) throw new Error(`unexpected IdP page: ${page.slice(0, 200)}`);
        if (o.abort) {
          const abort = /href="([^"]+abort[^"]*)"/.exec(page)?.[1];
          res = await fetch(new URL(abort!, issuer), { redirect: 'manual', headers: { cookie: cookieHeader() } });
        } else {
          res = await fetch(new URL(action, issuer), {
            method: 'POST',
            redirect: 'manual',
            headers: { cookie: cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ prompt: 'login', login, password: 'any' }).toString(),
          });
        }
        remember(res);
      }
      const location = res.headers.get('location');
      if (!location) throw new Error(`IdP answered ${res.status} without a redirect`);
      url = new URL(location, url);
    }
    throw new Error('too many redirects at the IdP');
  }

  return {
    issuer,
    clientId,
    accounts,
    signIn,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

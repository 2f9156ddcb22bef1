/**
 * Staff sign-in with an OpenID Connect provider: authorization code with PKCE (S256), state and nonce, the ID
 * token's signature checked against the provider's published keys (openid-client, which uses jose). Works with
 * Cognito or any standard provider; the provider's metadata is discovered once per process.
 */
import * as oidc from 'openid-client';
import type { TConfig } from '../config.js';

export interface TOidcSettings {
  issuer: URL;
  clientId: string;
  clientSecret?: string;
  scopes: string;
  redirectUri?: string;
  logoutUrl?: string;
}

/** The settings if sign-in with a provider is configured; undefined if not (then only the local demo sign-in exists). */
export function oidcSettings(config: TConfig, clientSecret = config.OIDC_CLIENT_SECRET): TOidcSettings | undefined {
  if (!config.OIDC_ISSUER || !config.OIDC_CLIENT_ID) return undefined;
  return {
    issuer: new URL(config.OIDC_ISSUER),
    clientId: config.OIDC_CLIENT_ID,
    clientSecret: clientSecret || undefined,
    scopes: config.OIDC_SCOPES,
    redirectUri: config.OIDC_REDIRECT_URI,
    logoutUrl: config.OIDC_LOGOUT_URL,
  };
}

/** What must survive the round trip to the provider (kept in a short-lived sealed cookie). */
export interface TOidcFlow {
  verifier: string;
  state: string;
  nonce: string;
  redirectUri: string;
  /** Where to go after signing in: a path on this site. */
  next: string;
  lang: 'zh' | 'en';
  exp: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export interface TOidcClient {
  /** The provider's authorization URL and the flow to remember. */
  begin(redirectUri: string, next: string, lang: 'zh' | 'en', now: number): Promise<{ url: URL; flow: TOidcFlow }>;
  /** Exchanges the code from the callback's query; returns the ID token's verified claims. Throws on any failure. */
  finish(query: URLSearchParams, flow: TOidcFlow): Promise<Record<string, unknown> & { sub: string }>;
  /** The provider's sign-out page, if it has one, sending the user back to `returnTo`. */
  logoutUrl(returnTo: string): Promise<string | undefined>;
}

export const FLOW_MINUTES = 10;

export function oidcClient(settings: TOidcSettings): TOidcClient {
  // Plain HTTP only for a provider on this machine (tests, a local provider); never for a real one.
  const insecure = settings.issuer.protocol === 'http:' && LOOPBACK.has(settings.issuer.hostname);
  let discovered: Promise<oidc.Configuration> | undefined;
  const configuration = () =>
    (discovered ??= oidc
      .discovery(
        settings.issuer,
        settings.clientId,
        settings.clientSecret,
        settings.clientSecret ? oidc.ClientSecretBasic(settings.clientSecret) : oidc.None(),
        { execute: [...(insecure ? [oidc.allowInsecureRequests] : []), oidc.enableNonRepudiationChecks], timeout: 10 },
      )
      .catch((err: unknown) => {
        discovered = undefined; // try again on the next sign-in rather than stay broken
        throw err;
      }));

  return {
    async begin(redirectUri, next, lang, now) {
      const config = await configuration();
      const flow: TOidcFlow = {
        verifier: oidc.randomPKCECodeVerifier(),
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        redirectUri,
        next,
        lang,
        exp: now + FLOW_MINUTES * 60_000,
      };
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: settings.scopes,
        response_type: 'code',
        code_challenge: await oidc.calculatePKCECodeChallenge(flow.verifier),
        code_challenge_method: 'S256',
        state: flow.state,
        nonce: flow.nonce,
        ui_locales: lang === 'zh' ? 'zh-CN en' : 'en zh-CN',
      });
      return { url, flow };
    },

    async finish(query, flow) {
      const config = await configuration();
      // The redirect URI sent to the token endpoint is the one the flow began with, whatever host the callback
      // reached us on (a custom domain in front of API Gateway, a proxy).
      const current = new URL(flow.redirectUri);
      for (const [k, v] of query) current.searchParams.append(k, v);
      const tokens = await oidc.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) throw new Error('the provider returned no ID token');
      return claims as Record<string, unknown> & { sub: string };
    },

    async logoutUrl(returnTo) {
      if (settings.logoutUrl) return settings.logoutUrl;
      const config = await configuration().catch(() => undefined);
      if (!config?.serverMetadata().end_session_endpoint) return undefined;
      return oidc.buildEndSessionUrl(config, { client_id: settings.clientId, post_logout_redirect_uri: returnTo }).href;
    },
  };
}

/** Only a path on this site may follow sign-in (never `//evil.example` or a full URL). */
export function safeNext(next: string | undefined): string {
  return next && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) ? next : '/';
}

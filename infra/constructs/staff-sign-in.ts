import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AccountRecovery,
  type CfnUserPoolClient,
  FeaturePlan,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

export interface StaffSignInProps {
  /** The dashboard's origin, e.g. https://wendu.example.gov.cn (no trailing slash); callback and sign-out URLs hang off it. */
  readonly dashboardOrigin: string;
  /** Prefix of the Cognito-hosted sign-in domain (<prefix>.auth.<region>.amazoncognito.com); globally unique. */
  readonly domainPrefix: string;
  /** Require a second factor (TOTP) for every staff user. @default true */
  readonly requireMfa?: boolean;
}

/**
 * Staff sign-in on AWS: a Cognito user pool for hall managers, supervisors and administrators (no self sign-up:
 * administrators invite staff; strong passwords; a second factor by authenticator app; the Plus plan's threat
 * protection blocks risky sign-ins and leaked passwords), its hosted sign-in pages, and one app client for the
 * dashboard: authorization code with PKCE only, a public client (no secret to keep).
 * The app reads it as any OIDC provider (OIDC_ISSUER, OIDC_CLIENT_ID); the staff user's role and scope live in the
 * app's own table, matched by the verified email on the first sign-in.
 */
export class StaffSignIn extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly domain: UserPoolDomain;
  /** The app's configuration for this provider. */
  readonly environment: Record<string, string>;

  constructor(scope: Construct, id: string, props: StaffSignInProps) {
    super(scope, id);

    this.userPool = new UserPool(this, 'UserPool', {
      userPoolName: 'service-temperature-staff',
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true }, fullname: { required: false, mutable: true } },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
        passwordHistorySize: 5,
      },
      mfa: props.requireMfa === false ? Mfa.OPTIONAL : Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false, email: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      // Staff accounts are not recreated by a redeploy; keep them if the stack goes.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: props.domainPrefix } });

    this.client = this.userPool.addClient('Dashboard', {
      userPoolClientName: 'dashboard',
      generateSecret: false,
      authFlows: {}, // only the hosted pages sign in; no password flows through the app
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [`${props.dashboardOrigin}/auth/callback`],
        logoutUrls: [`${props.dashboardOrigin}/`],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(8),
      enableTokenRevocation: true,
    });

    // Left unset, Cognito would also allow SRP and custom password flows on this client; the hosted pages are the
    // only way in, so the client gets nothing but token refresh.
    (this.client.node.defaultChild as CfnUserPoolClient).explicitAuthFlows = ['ALLOW_REFRESH_TOKEN_AUTH'];

    const region = Stack.of(this).region;
    this.environment = {
      OIDC_ISSUER: `https://cognito-idp.${region}.${Stack.of(this).urlSuffix}/${this.userPool.userPoolId}`,
      OIDC_CLIENT_ID: this.client.userPoolClientId,
      OIDC_REDIRECT_URI: `${props.dashboardOrigin}/auth/callback`,
      // Cognito has no end_session_endpoint in its discovery document; its own /logout ends the hosted session.
      OIDC_LOGOUT_URL: `${this.domain.baseUrl()}/logout?client_id=${this.client.userPoolClientId}&logout_uri=${props.dashboardOrigin}/`,
    };
  }
}

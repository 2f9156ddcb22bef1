import { describe, expect, it } from 'vitest';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/build.js';

const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };
const template = (context: Record<string, unknown> = {}) =>
  Template.fromStack(buildApp({ context: { ...SKIP_BUNDLING, ...context }, nag: false }).stack);

function dashboardEnv(t: Template): Record<string, unknown> {
  const [fn] = Object.entries(t.findResources('AWS::Lambda::Function')).filter(([id]) => id.startsWith('DashboardFunction'));
  expect(fn, 'a dashboard function').toBeTruthy();
  return (fn[1] as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties.Environment.Variables;
}

describe('staff sign-in on AWS (Cognito by default)', () => {
  const t = template();

  it('makes a staff user pool: invitation only, email sign-in, strong passwords, TOTP required, Plus threat protection, kept', () => {
    t.resourceCountIs('AWS::Cognito::UserPool', 1);
    t.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    t.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
          TemporaryPasswordValidityDays: 3,
          PasswordHistorySize: 5,
        },
      },
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      DeletionProtection: 'ACTIVE',
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
    });
    t.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
  });

  it('has one public app client for the dashboard: code flow only (PKCE, no secret), its callback and sign-out URLs on the API', () => {
    t.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    const apiId = Object.keys(t.findResources('AWS::ApiGatewayV2::Api'))[0];
    const endpoint = { 'Fn::GetAtt': [apiId, 'ApiEndpoint'] };
    const client = Object.values(t.findResources('AWS::Cognito::UserPoolClient'))[0] as { Properties: Record<string, unknown> };
    expect(client.Properties).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: expect.arrayContaining(['openid', 'email', 'profile']),
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'], // no password flows through the app
    });
    expect((client.Properties.AllowedOAuthScopes as string[]).sort()).toEqual(['email', 'openid', 'profile']);
    expect(client.Properties.CallbackURLs).toEqual([{ 'Fn::Join': ['', [endpoint, '/auth/callback']] }]);
    expect(client.Properties.LogoutURLs).toEqual([{ 'Fn::Join': ['', [endpoint, '/']] }]);
  });

  it('points the dashboard function at the pool as an OIDC provider, with no demo sign-in possible', () => {
    const env = dashboardEnv(t);
    const poolId = Object.keys(t.findResources('AWS::Cognito::UserPool'))[0];
    const clientId = Object.keys(t.findResources('AWS::Cognito::UserPoolClient'))[0];
    expect(env.APP_ENV).toBe('aws');
    expect(JSON.stringify(env.OIDC_ISSUER)).toContain(`{"Ref":"${poolId}"}`);
    expect(JSON.stringify(env.OIDC_ISSUER)).toMatch(/^\{"Fn::Join":\["",\["https:\/\/cognito-idp\./);
    expect(env.OIDC_CLIENT_ID).toEqual({ Ref: clientId });
    expect(JSON.stringify(env.OIDC_LOGOUT_URL)).toContain('/logout?client_id=');
    expect(env.OIDC_CLIENT_SECRET).toBeUndefined();
    t.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('staff dashboard'),
      MemorySize: 1024,
      Timeout: 29,
      Architectures: ['arm64'],
      Runtime: 'nodejs22.x',
    });
  });

  it('uses publicBaseUrl for the callback when given, and can relax MFA to optional by context', () => {
    const t2 = template({ publicBaseUrl: 'https://wendu.example.gov.cn', requireStaffMfa: 'false', authDomainPrefix: 'wendu-staff' });
    t2.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      CallbackURLs: ['https://wendu.example.gov.cn/auth/callback'],
      LogoutURLs: ['https://wendu.example.gov.cn/'],
    });
    t2.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'OPTIONAL' });
    t2.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'wendu-staff' });
    expect(dashboardEnv(t2).OIDC_REDIRECT_URI).toBe('https://wendu.example.gov.cn/auth/callback');
  });

  it('can be pointed at another OIDC provider instead: no user pool, its secret readable by the dashboard only', () => {
    const arn = 'arn:aws:secretsmanager:cn-north-1:123456789012:secret:oidc-client-AbCdEf';
    const t3 = template({ oidcIssuer: 'https://id.example.gov.cn/realms/staff', oidcClientId: 'wendu', oidcClientSecretArn: arn });
    t3.resourceCountIs('AWS::Cognito::UserPool', 0);
    t3.resourceCountIs('AWS::Cognito::UserPoolClient', 0);
    const env = dashboardEnv(t3);
    expect(env).toMatchObject({
      OIDC_ISSUER: 'https://id.example.gov.cn/realms/staff',
      OIDC_CLIENT_ID: 'wendu',
      OIDC_CLIENT_SECRET_ARN: arn,
    });
    const readers = Object.entries(t3.findResources('AWS::IAM::Policy'))
      .filter(([, p]) => JSON.stringify(p).includes(arn))
      .map(([id]) => id);
    expect(readers).toHaveLength(1);
    expect(readers[0]).toMatch(/^DashboardRoleDefaultPolicy/);
  });

  it('refuses half or insecure provider settings and a bad domain prefix', () => {
    expect(() => template({ oidcIssuer: 'https://id.example.gov.cn' })).toThrow(/go together/);
    expect(() => template({ oidcIssuer: 'http://id.example.gov.cn', oidcClientId: 'x' })).toThrow(/https/);
    expect(() => template({ authDomainPrefix: 'Has_Capitals' })).toThrow(/authDomainPrefix/);
  });
});

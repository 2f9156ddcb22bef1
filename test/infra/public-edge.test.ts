/** CloudFront in front of the API (issue 12, SPEC §8): public routes cached, staff routes not, assets cached (optionally from S3). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CACHED_PUBLIC_PATHS, PUBLIC_CACHE_QUERY } from '../../infra/constructs/public-edge.js';
import { buildApp } from '../../infra/build.js';
import { DASHBOARD_PATHS, reachesDashboard } from '../../shared/http/dashboard-paths.js';

const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';
const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';

type TBehavior = {
  PathPattern?: string;
  CachePolicyId: unknown;
  OriginRequestPolicyId?: unknown;
  TargetOriginId: string;
  ViewerProtocolPolicy: string;
  AllowedMethods?: string[];
};
type TDistribution = {
  Properties: {
    DistributionConfig: {
      DefaultCacheBehavior: TBehavior;
      CacheBehaviors: TBehavior[];
      Origins: { Id: string; DomainName: unknown; OriginAccessControlId?: unknown; S3OriginConfig?: unknown }[];
      Logging?: unknown;
      WebACLId?: string;
    };
  };
};

let t: Template;
let dist: TDistribution['Properties']['DistributionConfig'];
beforeAll(() => {
  const { stack } = buildApp({ context: SKIP_BUNDLING, nag: false });
  t = Template.fromStack(stack);
  const all = Object.values(t.findResources('AWS::CloudFront::Distribution')) as TDistribution[];
  expect(all).toHaveLength(1);
  dist = all[0].Properties.DistributionConfig;
});

describe('the CloudFront distribution', () => {
  it('passes staff, resident and machine routes through uncached, with every viewer header but Host (cookies included)', () => {
    expect(dist.DefaultCacheBehavior.CachePolicyId).toBe(CACHING_DISABLED);
    expect(dist.DefaultCacheBehavior.OriginRequestPolicyId).toBe(ALL_VIEWER_EXCEPT_HOST);
    expect(dist.DefaultCacheBehavior.AllowedMethods).toContain('POST');
    expect(dist.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    for (const path of ['/halls/x', '/admin/regions', '/cases', '/r/T.k1.x', '/api/v1/tickets', '/signin']) {
      const matched = dist.CacheBehaviors.find((b) => new RegExp(`^${b.PathPattern!.replace('*', '.*')}$`).test(path));
      expect(matched, path).toBeUndefined();
    }
  });

  it('caches the public routes with the app’s max-age, no cookies or headers in the key, only from/to/date', () => {
    const cached = dist.CacheBehaviors.filter((b) => (CACHED_PUBLIC_PATHS as readonly string[]).includes(b.PathPattern!));
    expect(cached.map((b) => b.PathPattern).sort()).toEqual([...CACHED_PUBLIC_PATHS].sort());
    for (const b of cached) {
      expect(b.CachePolicyId).not.toBe(CACHING_DISABLED);
      expect(b.OriginRequestPolicyId).toBeUndefined(); // nothing of the viewer's reaches the app: no cookie, no header
      expect(b.AllowedMethods).toEqual(['GET', 'HEAD']);
    }
    t.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({
        DefaultTTL: 60,
        MinTTL: 0,
        MaxTTL: 300,
        ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({
          CookiesConfig: { CookieBehavior: 'none' },
          HeadersConfig: { HeaderBehavior: 'none' },
          QueryStringsConfig: { QueryStringBehavior: 'whitelist', QueryStrings: [...PUBLIC_CACHE_QUERY] },
          EnableAcceptEncodingGzip: true,
        }),
      }),
    });
  });

  it('the cached paths are the public routes the dashboard function answers (one route list)', () => {
    for (const p of CACHED_PUBLIC_PATHS) expect(reachesDashboard(p.replace('*', 'h-1'))).toBe(true);
    expect(DASHBOARD_PATHS).toContain('/p/{proxy+}');
    expect(DASHBOARD_PATHS).toContain('/api/v1/public/{proxy+}');
  });

  it('caches /assets/* (content-hashed, immutable) from the dashboard function by default; logs every request', () => {
    const assets = dist.CacheBehaviors.find((b) => b.PathPattern === '/assets/*')!;
    expect(assets.TargetOriginId).toBe(dist.DefaultCacheBehavior.TargetOriginId);
    expect(assets.CachePolicyId).toBe(CACHING_OPTIMIZED);
    expect(dist.Logging).toBeDefined();
    for (const b of Object.values(t.findResources('AWS::S3::Bucket')) as { Properties: Record<string, unknown> }[]) {
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(b.Properties.BucketEncryption).toBeDefined();
    }
    t.resourceCountIs('Custom::CDKBucketDeployment', 0);
    t.hasOutput('PublicUrl', Match.anyValue());
  });

  it('with assetsOnS3: /assets/* from a private bucket through origin access control, filled at deploy; nag clean', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'st-edge-'));
    try {
      const { app, stack } = buildApp({ context: { ...SKIP_BUNDLING, assetsOnS3: 'true' }, outdir });
      expect(() => app.synth()).not.toThrow(); // cdk-nag: every finding resolved or acknowledged with a reason
      const s3 = Template.fromStack(stack);
      const d = (Object.values(s3.findResources('AWS::CloudFront::Distribution'))[0] as TDistribution).Properties.DistributionConfig;
      const assets = d.CacheBehaviors.find((b) => b.PathPattern === '/assets/*')!;
      const origin = d.Origins.find((o) => o.Id === assets.TargetOriginId)!;
      expect(origin.OriginAccessControlId).toBeDefined();
      expect(JSON.stringify(origin.DomainName)).toContain('EdgeAssets');
      s3.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
      s3.resourceCountIs('Custom::CDKBucketDeployment', 1);
      s3.hasResourceProperties('AWS::IAM::Role', {
        Description: Match.stringLikeRegexp('asset upload'),
        ManagedPolicyArns: Match.absent(),
      });
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('attaches a WAF web ACL when one is given', () => {
    const arn = 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/st/abc';
    const { stack } = buildApp({ context: { ...SKIP_BUNDLING, webAclArn: arn }, nag: false });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ WebACLId: arn }),
    });
  });
});

/**
 * SPEC §8 "static assets on S3 + CloudFront" and issue 12's serving: one CloudFront distribution in front of the
 * HTTP API. The public pages and open data (`/p/*`, `/api/v1/public/*`) are cached at the edge for the max-age the
 * app sends (60 s; no cookies, no headers in the cache key; only the CSV/JSON query parameters), the dashboard's
 * content-hashed script comes from a private S3 bucket (origin access control), and everything else — staff pages,
 * resident pages, the machine API — passes through uncached with every viewer header but Host.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AssetHashType, DockerImage, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  CacheQueryStringBehavior,
  Distribution,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  ViewerProtocolPolicy,
  type BehaviorOptions,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { ServicePrincipal, Role } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The paths CloudFront caches (the app's public routes: routes/public.ts); each also in DASHBOARD_PATHS. */
export const CACHED_PUBLIC_PATHS = ['/p/*', '/api/v1/public/*'] as const;
/** The only query parameters that change a public answer (the CSVs' range, the JSON's date); the board's `t` is not. */
export const PUBLIC_CACHE_QUERY = ['from', 'to', 'date'] as const;

/** The wildcards of CDK's upload grants (object keys are unknown until deploy), acknowledged with a reason. */
export const UPLOAD_WILDCARDS = [
  'Action::s3:GetBucket*',
  'Action::s3:GetObject*',
  'Action::s3:List*',
  'Action::s3:Abort*',
  'Action::s3:DeleteObject*',
  'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*',
  'Resource::<EdgeAssetsCDE1815C.Arn>/*',
] as const;

export interface PublicEdgeProps {
  /** The HTTP API's id (its execute-api host is the origin). */
  readonly apiId: string;
  readonly projectRoot: string;
  /** A WAF web ACL (scope CLOUDFRONT, made in us-east-1) for a per-client rate-based rule; context `webAclArn`. */
  readonly webAclArn?: string;
  /**
   * Serve `/assets/*` from a private S3 bucket filled at deploy (context `assetsOnS3=true`). Off by default: CDK's
   * BucketDeployment brings a fifth Lambda whose grants use wildcard S3 actions and `bucket/*` resources, which the
   * stack's least-privilege tests forbid; without it CloudFront caches the same content-hashed files from the
   * dashboard function for a year.
   */
  readonly assetsOnS3?: boolean;
}

export class PublicEdge extends Construct {
  readonly bucket?: Bucket;
  readonly logs: Bucket;
  readonly distribution: Distribution;

  constructor(scope: Construct, id: string, props: PublicEdgeProps) {
    super(scope, id);
    const stack = Stack.of(this);

    // CloudFront's standard logs need ACLs on their bucket; nothing is public, everything expires after a year.
    this.logs = new Bucket(this, 'Logs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    if (props.assetsOnS3) {
      this.bucket = new Bucket(this, 'Assets', {
        encryption: BucketEncryption.S3_MANAGED,
        blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        removalPolicy: RemovalPolicy.DESTROY, // rebuilt from source on every deploy
        autoDeleteObjects: false,
      });
    }
    const api = new HttpOrigin(`${props.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`, {
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [OriginSslPolicy.TLS_V1_2],
    });
    const publicCache = new CachePolicy(this, 'PublicCache', {
      comment: 'Public pages and open data: the app says max-age 60; no cookies or headers in the key',
      defaultTtl: Duration.seconds(60),
      minTtl: Duration.seconds(0),
      maxTtl: Duration.minutes(5),
      queryStringBehavior: CacheQueryStringBehavior.allowList(...PUBLIC_CACHE_QUERY),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const cachedPublic: BehaviorOptions = {
      origin: api,
      cachePolicy: publicCache,
      allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
      viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      compress: true,
    };
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Service Temperature: public pages cached, staff and resident routes passed through',
      defaultBehavior: {
        origin: api,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        allowedMethods: AllowedMethods.ALLOW_ALL,
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      },
      additionalBehaviors: {
        ...Object.fromEntries(CACHED_PUBLIC_PATHS.map((p) => [p, cachedPublic])),
        '/assets/*': {
          origin: this.bucket ? S3BucketOrigin.withOriginAccessControl(this.bucket) : api,
          cachePolicy: CachePolicy.CACHING_OPTIMIZED,
          allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
          viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          compress: true,
        },
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: this.logs,
      logFilePrefix: 'cloudfront/',
      ...(props.webAclArn ? { webAclId: props.webAclArn } : {}),
    });

    this.acknowledge(props);
    if (this.bucket) this.acknowledgeUploader(this.upload(this.bucket, props.projectRoot));
  }

  /** The dashboard's script under its content hash (the same file the dashboard function serves at the same path). */
  private upload(bucket: Bucket, projectRoot: string): BucketDeployment {
    const source = join(projectRoot, 'shared', 'http', 'client');
    const hash = createHash('sha256')
      .update(readFileSync(join(source, 'dashboard.ts')))
      .update(readFileSync(join(projectRoot, 'package-lock.json')))
      .digest('hex');
    // CDK's upload function gets a role of ours: no managed policy, logs only to its own group, no Resource "*".
    const uploadLogs = new LogGroup(this, 'UploadLogs', { retention: RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.DESTROY });
    const uploadRole = new Role(this, 'UploadRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Service Temperature asset upload (CDK BucketDeployment): its own log group, the CDK staging bucket, the assets bucket.',
    });
    uploadLogs.grantWrite(uploadRole);
    return new BucketDeployment(this, 'Upload', {
      role: uploadRole,
      logGroup: uploadLogs,
      destinationBucket: bucket,
      sources: [
        Source.asset(source, {
          assetHashType: AssetHashType.CUSTOM,
          assetHash: hash,
          bundling: {
            image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22'),
            local: {
              tryBundle(outputDir: string) {
                const tsx = join(projectRoot, 'node_modules', '.bin', 'tsx');
                execFileSync(tsx, [join(projectRoot, 'infra', 'public-assets.ts'), outputDir], { stdio: 'inherit' });
                return true;
              },
            },
          },
        }),
      ],
      prune: false, // an old page may still ask for the previous hash for a while
      cacheControl: [CacheControl.fromString('public, max-age=31536000, immutable')], // the name changes with the content
      // no invalidation: a new script has a new name, so nothing cached goes stale
    });
  }

  private acknowledge(props: PublicEdgeProps): void {
    Validations.of(this.logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the log bucket (CloudFront standard logs); logging access to it would log the logs.',
    });
    if (this.bucket)
      Validations.of(this.bucket).acknowledge({
        id: 'AwsSolutions-S1',
        reason:
          'Private bucket read only by CloudFront (origin access control); every request for it is in the distribution’s ' +
          'standard logs, so S3 server access logs would repeat them.',
      });
    const d = Validations.of(this.distribution);
    d.acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'No geo restriction by design: the public pages and open data are for anyone (SPEC §2, 公开).',
    });
    if (!props.webAclArn) {
      d.acknowledge({
        id: 'AwsSolutions-CFR2',
        reason:
          'A CloudFront web ACL must be made in us-east-1, outside this regional stack: pass its ARN with -c webAclArn=… ' +
          '(a rate-based rule per client). Until then the app limits each client per instance and API Gateway throttles per route.',
      });
    }
    d.acknowledge({
      id: 'AwsSolutions-CFR4',
      reason:
        'The default *.cloudfront.net certificate cannot be pinned to TLS 1.2 (CloudFront fixes it at TLSv1); with a ' +
        'custom domain (publicBaseUrl) its certificate and a TLSv1.2_2021 policy are set at the distribution.',
    });
  }

  /** CDK's own upload function (a singleton custom resource at the stack's root) and our role for it, with reasons. */
  private acknowledgeUploader(upload: BucketDeployment): void {
    const fn = Stack.of(this).node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (!fn || !upload.handlerRole) throw new Error('PublicEdge: expected the BucketDeployment singleton function');
    const deploy = 'CDK BucketDeployment copies the built assets into the bucket once per deploy';
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason: `${deploy}; its runtime is chosen by aws-cdk-lib and moves with it.`,
    });
    const policy = upload.handlerRole.node.tryFindChild('DefaultPolicy');
    if (!policy) throw new Error('PublicEdge: expected the upload role to have a DefaultPolicy');
    for (const w of UPLOAD_WILDCARDS) {
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[${w}]`,
        reason:
          `${deploy}: the grants CDK makes for it (read the CDK staging bucket's objects, write this assets bucket's), ` +
          'scoped to those two buckets; S3 object keys are not known before the deploy.',
      });
    }
  }
}

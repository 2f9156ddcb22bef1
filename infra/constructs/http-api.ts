import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { type CfnStage, HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface PublicHttpApiProps {
  readonly handler: IFunction;
  /** Steady-state requests per second for the whole stage. */
  readonly throttleRateLimit: number;
  /** Burst capacity for the whole stage. */
  readonly throttleBurstLimit: number;
  /** @default one year */
  readonly accessLogRetention?: RetentionDays;
}

/**
 * Access log line. Privacy rule (SPEC §6): IP addresses are never stored raw, so neither
 * $context.identity.sourceIp nor the user agent may appear here. The path is left out as well: resident URLs carry
 * the signed QR token in the path (/:token), and an access log is no place to keep bearer tokens.
 */
export const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  requestId: '$context.requestId',
  time: '$context.requestTime',
  timeEpoch: '$context.requestTimeEpoch',
  routeKey: '$context.routeKey',
  httpMethod: '$context.httpMethod',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  errorMessage: '$context.error.message',
  errorResponseType: '$context.error.responseType',
  integrationError: '$context.integrationErrorMessage',
};

/**
 * Per-route throttling (requests per second, token bucket), on top of the stage-wide default. The app's own rate
 * limits count per Lambda instance, so on AWS they bound one warm instance only; these hold for the whole API, however
 * many instances run. Each kind of call has its own bucket, so a flood of reads (a machine polling GET /hall) or of
 * page loads never uses up what minting tickets or posting ratings need. Sized for a city of a few hundred halls:
 * far above the real peak (a hall serves a visitor every few seconds), far below what the table's on-demand capacity
 * and the Lambda concurrency take. They are per route, not per client: a per-address limit needs a WAF rate-based
 * rule, which attaches to a CloudFront distribution in front of this API (the public-pages issue) — not to an
 * HTTP API directly.
 */
export const ROUTE_THROTTLES = {
  'POST /api/v1/ratings': { rateLimit: 50, burstLimit: 100 },
  'POST /api/v1/tickets': { rateLimit: 50, burstLimit: 100 },
  'GET /api/v1/hall': { rateLimit: 10, burstLimit: 20 },
  'GET /api/v1/halls/{hallId}/scores': { rateLimit: 10, burstLimit: 20 },
  'ANY /r/{proxy+}': { rateLimit: 100, burstLimit: 200 },
} as const satisfies Record<string, { rateLimit: number; burstLimit: number }>;

/**
 * HTTP API with a catch-all route ($default) to the API function, plus the throttled routes above to the same
 * function: the Hono app does its own routing, its
 * own API-key authentication for machine routes, and residents post ratings anonymously.
 */
export class PublicHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogGroup: LogGroup;

  constructor(scope: Construct, id: string, props: PublicHttpApiProps) {
    super(scope, id);

    const integration = new HttpLambdaIntegration('ApiIntegration', props.handler);
    this.api = new HttpApi(this, 'HttpApi', {
      apiName: 'service-temperature',
      description: 'Service Temperature (服务温度) public HTTP API',
      defaultIntegration: integration,
      // The stage is created below so that it can carry throttling and access logging.
      createDefaultStage: false,
    });

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttleRateLimit, burstLimit: props.throttleBurstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    // Route settings name routes by key; each must exist before the stage that throttles it.
    const cfnStage = this.stage.node.defaultChild as CfnStage;
    cfnStage.routeSettings = Object.fromEntries(
      Object.entries(ROUTE_THROTTLES).map(([key, t]) => [key, { ThrottlingRateLimit: t.rateLimit, ThrottlingBurstLimit: t.burstLimit }]),
    );
    for (const key of Object.keys(ROUTE_THROTTLES)) {
      const [method, path] = key.split(' ');
      const [route] = this.api.addRoutes({ path, methods: [method as HttpMethod], integration });
      cfnStage.node.addDependency(route);
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          `No API Gateway authorizer by design: ${key} is the API function's own route, split from $default only so the ` +
          'stage can throttle it apart; the Hono app authorizes it (hall API key, or an anonymous resident with a signed QR token).',
      });
    }

    const defaultRoute = this.api.node.tryFindChild('DefaultRoute');
    if (!defaultRoute) throw new Error('PublicHttpApi: expected HttpApi to create the $default route');
    Validations.of(defaultRoute).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'No API Gateway authorizer by design: the single $default route forwards everything to the Hono app, which ' +
        'authorizes per route - machine routes need a per-hall API key, staff routes a signed-in session, and ' +
        'resident rating routes are anonymous (no login, SPEC section 2), protected by HMAC-signed QR tokens and ' +
        'per-device limits.',
    });
  }

  /**
   * Sends these paths to another function (the staff dashboard); everything else stays on the $default route.
   * Each path becomes `ANY <path>`; API Gateway picks the most specific route, so `/api/v1/halls/{id}/report`
   * goes to the dashboard while `/api/v1/halls/{id}/scores` stays on the API function.
   */
  routeTo(id: string, handler: IFunction, paths: readonly string[]): void {
    const integration = new HttpLambdaIntegration(`${id}Integration`, handler);
    paths.forEach((path, i) => {
      const [route] = this.api.addRoutes({ path, methods: [HttpMethod.ANY], integration });
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'No API Gateway authorizer by design: staff pages use a signed session cookie set after OIDC sign-in, which ' +
          'a JWT authorizer cannot read; the dashboard app checks the session and the unit scope on every route, and ' +
          `the sign-in routes themselves must be reachable signed out (route ${i + 1} of ${paths.length}: ${path}).`,
      });
    });
  }

  get url(): string {
    return this.stage.url;
  }
}

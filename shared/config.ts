/** Configuration from the environment, validated once at start-up so a bad value fails loudly. */
import * as z from 'zod/mini';
import { localDay } from './domain/time.js';
import './domain/validation.js'; // issues in words
import { DEFAULT_TABLE_NAME } from './storage/table.js';

const ZConfig = z.object({
  APP_ENV: z._default(z.enum(['local', 'aws', 'test']), 'local'),
  TABLE_NAME: z._default(z.string().check(z.minLength(3)), DEFAULT_TABLE_NAME),
  /**
   * Base URL printed into QR codes, e.g. https://rate.example.gov.cn (the AWS stack always sets it). Unset: the
   * request's origin if its host is this machine's own (base-url.ts), else http://localhost:PORT.
   */
  PUBLIC_BASE_URL: z.optional(z.url()),
  /**
   * AWS: the export function's URL (Lambda response streaming, no 6 MB cap). Set: a hall's export answers with a
   * 303 to it carrying a one-minute signed ticket; unset (one machine): the dashboard streams the file itself.
   */
  EXPORT_STREAM_URL: z.optional(z.url()),
  /** Local: the key ring JSON itself. AWS: KEYRING_SECRET_ARN names the Secrets Manager secret instead. */
  KEYRING: z.optional(z.string()),
  KEYRING_SECRET_ARN: z.optional(z.string()),
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  AWS_REGION: z._default(z.string(), 'us-east-1'),
  LOG_LEVEL: z._default(z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']), 'INFO'),
  /** Local address to listen on. Unset: every interface (IPv4 and IPv6), so a phone on the same network can open the survey. */
  HOST: z.optional(z.string()),
  PORT: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(65535)), 3000),
  DATA_DIR: z._default(z.string(), '.data'),
  SEED_API_KEY: z.optional(z.string().check(z.minLength(16))),
  /** Days of synthetic history the demo seed creates on first start. */
  SEED_DAYS: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(400)), 90),
  /** The nightly job scores "yesterday" at 02:00 in this zone. */
  SCORING_TIMEZONE: z._default(z.string(), 'Asia/Shanghai'),
  /**
   * Staff sign-in with any OpenID Connect provider (authorization code + PKCE). On AWS the CDK app sets these
   * to its Cognito user pool unless pointed at another provider. Unset locally: only the demo sign-in.
   */
  OIDC_ISSUER: z.optional(z.url()),
  OIDC_CLIENT_ID: z.optional(z.string().check(z.minLength(1))),
  /** A confidential client's secret; or OIDC_CLIENT_SECRET_ARN names it in Secrets Manager. Public clients need neither (PKCE). */
  OIDC_CLIENT_SECRET: z.optional(z.string()),
  OIDC_CLIENT_SECRET_ARN: z.optional(z.string()),
  OIDC_SCOPES: z._default(z.string(), 'openid email profile'),
  /** Where the provider sends staff back; unset: PUBLIC_BASE_URL (or the request's origin) + /auth/callback. */
  OIDC_REDIRECT_URI: z.optional(z.url()),
  /** The provider's own sign-out page (Cognito's /logout?client_id&logout_uri); unset: its end_session_endpoint if it has one. */
  OIDC_LOGOUT_URL: z.optional(z.url()),
  /** Requests per minute one client address may post ratings; per API key for machine routes it is ×10. */
  RATE_LIMIT_PER_MINUTE: z._default(z.coerce.number().check(z.int(), z.gte(1)), 120),
  /** Staff e-mail (issue 14), locally: an SMTP server (smtp://user:pass@host:587); unset: .eml files in DATA_DIR/outbox. */
  SMTP_URL: z.optional(z.string().check(z.regex(/^smtps?:\/\//, 'SMTP_URL must start with smtp:// or smtps://'))),
  /** The sender of staff e-mail (on AWS: an address of the SES identity the stack names). */
  MAIL_FROM: z._default(z.string(), '服务温度 <no-reply@service-temperature.local>'),
  /** Locally: seconds between notification ticks (events → e-mail, digests, webhook attempts); 0 = off. */
  NOTIFY_EVERY_SECONDS: z._default(z.coerce.number().check(z.int(), z.gte(0)), 15),
});
export type TConfig = z.infer<typeof ZConfig>;

export function loadConfig(env: Record<string, string | undefined> = process.env): TConfig {
  const picked = Object.fromEntries(Object.keys(ZConfig.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const parsed = ZConfig.safeParse(picked);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.message}`).join('\n'); // "PORT must be at most 65535"
    throw new Error(`Invalid configuration:\n${lines}`);
  }
  return parsed.data;
}

export interface TScoringEnv {
  tableName: string;
  queueUrl: string;
  alertsTopicArn?: string;
  timeZone: string;
  dynamoEndpoint?: string;
  region?: string;
}

/**
 * The nightly fan-out's functions' configuration: loadConfig's variables, plus SCORE_QUEUE_URL (planner and
 * worker) and ALERTS_TOPIC_ARN (worker), which only these functions read. The table and the queue must be named
 * (no default table on AWS), the worker also needs the alerts topic, and the time zone must be a real IANA zone.
 * A missing or bad value fails the cold start loudly.
 */
export function loadScoringConfig(env: Record<string, string | undefined>, needs: { alertsTopic?: boolean } = {}): TScoringEnv {
  const missing = ['TABLE_NAME', 'SCORE_QUEUE_URL', ...(needs.alertsTopic ? ['ALERTS_TOPIC_ARN'] : [])].filter((k) => !env[k]);
  if (missing.length) throw new Error(`Invalid configuration: missing ${missing.join(', ')}`);
  const config = loadConfig(env);
  try {
    localDay(0, config.SCORING_TIMEZONE);
  } catch {
    throw new Error(`Invalid configuration: SCORING_TIMEZONE ${JSON.stringify(config.SCORING_TIMEZONE)} is not an IANA time zone`);
  }
  return {
    tableName: config.TABLE_NAME,
    queueUrl: env.SCORE_QUEUE_URL!,
    alertsTopicArn: env.ALERTS_TOPIC_ARN,
    timeZone: config.SCORING_TIMEZONE,
    dynamoEndpoint: config.DYNAMODB_ENDPOINT,
    region: env.AWS_REGION ? config.AWS_REGION : undefined,
  };
}

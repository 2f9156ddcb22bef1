import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/**
 * The key ring: a JSON object `{ "active": "k1", "k1": "<64 random chars>" }` in Secrets Manager. The app derives
 * its ticket-signing key, phone-number encryption key and hash pepper from the active entry; older entries stay
 * available so that tokens signed with them still verify. Rotation = add k2 and set `active` to "k2".
 */
export class KeyringSecret extends Construct {
  readonly secret: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.secret = new Secret(this, 'Secret', {
      description:
        'Service Temperature key ring (ticket signing, phone encryption, hash pepper). Rotate manually: add kN, then set active=kN.',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ active: 'k1' }),
        generateStringKey: 'k1',
        passwordLength: 64,
        excludePunctuation: true,
      },
      // Losing the key ring would invalidate every printed placard and make stored phone numbers undecryptable.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The key ring is rotated manually (documented: add a new key kN, then set active=kN, keeping old keys for ' +
        'verification). Automatic rotation that replaces the value would invalidate QR placards already printed ' +
        'and posted in the halls; a rotation Lambda that appends keys is not built yet.',
    });
  }
}

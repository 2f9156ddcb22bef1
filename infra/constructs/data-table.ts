import { RemovalPolicy } from 'aws-cdk-lib';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE_INDEXES, TABLE_KEYS } from '../../shared/storage/table.js';

/**
 * The single DynamoDB table. Its key schema comes from shared/storage/table.ts, the same definition the local
 * runtime uses to create the table in the embedded engine, so AWS and one-machine deployments cannot drift.
 */
export class DataTable extends Construct {
  readonly table: Table;

  /** `indexes`: how many of TABLE_INDEXES (in order) the table declares; all by default (scripts/deploy.ts steps it). */
  constructor(scope: Construct, id: string, props: { indexes?: number } = {}) {
    super(scope, id);

    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: 'ttl',
      // Ratings, cases and the audit trail must survive a stack deletion or an accidental replacement.
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
    });

    // gsi1: catalogue lists, a hall's ratings of a day, alerts, audit by unit; gsi2 (sparse): a region's cases, the
    // tree, users by name; gsi3 (sparse): one hall's cases; gsi4 (sparse, `q` = shard): cases by the instant they
    // opened (the notification sweep). CloudFormation adds one index per update, so `npm run deploy` (scripts/deploy.ts)
    // deploys a table that lacks several with `-c tableIndexes=<n>` one more at a time; npm run migrate waits for
    // every index to be ACTIVE before its case steps. The grants below name every index either way.
    for (const g of TABLE_INDEXES.slice(0, props.indexes ?? TABLE_INDEXES.length)) {
      this.table.addGlobalSecondaryIndex({
        indexName: g.name,
        partitionKey: { name: g.partitionKey, type: AttributeType.STRING },
        sortKey: { name: g.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }
  }

  /**
   * Item-level read/write on the table and Query/Scan on its named index only. Unlike Table.grantReadWriteData
   * this names `index/gsi1` … `index/gsi4` instead of `index/*`, and leaves out the stream actions
   * (the table has no stream).
   * Transactions need no extra actions: TransactWriteItems/TransactGetItems are authorized per contained operation.
   */
  grantReadWriteData(grantee: IGrantable): Grant {
    const table = Grant.addToPrincipal({
      grantee,
      actions: TABLE_DATA_ACTIONS,
      resourceArns: [this.table.tableArn],
    });
    const index = Grant.addToPrincipal({
      grantee,
      actions: INDEX_DATA_ACTIONS,
      resourceArns: TABLE_INDEXES.map((g) => `${this.table.tableArn}/index/${g.name}`),
    });
    return table.combine(index);
  }

  /** Item-level reads only (the export function): GetItem, BatchGetItem, Query on the table and Query on its named indexes. */
  grantReadItems(grantee: IGrantable): Grant {
    const table = Grant.addToPrincipal({ grantee, actions: TABLE_READ_ACTIONS, resourceArns: [this.table.tableArn] });
    const index = Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:Query'],
      resourceArns: TABLE_INDEXES.map((g) => `${this.table.tableArn}/index/${g.name}`),
    });
    return table.combine(index);
  }
}

export const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];

export const TABLE_DATA_ACTIONS = [
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:ConditionCheckItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

export const INDEX_DATA_ACTIONS = ['dynamodb:Query', 'dynamodb:Scan'];

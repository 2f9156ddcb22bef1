/**
 * `npm run add-admin -- --email <address> --name <name> [--id <id>] [--aws]`: adds an administrator, who then adds
 * everyone else in the dashboard. Locally it writes to the data folder (or the running server's engine); with
 * `--aws` to the DynamoDB table named by TABLE_NAME (the stack's TableName output) with your AWS credentials.
 * On AWS, then invite the same email in the staff user pool; the first sign-in binds the identity to this user.
 */
import { loadConfig } from '../shared/config.js';
import { ZUserForm } from '../shared/domain/admin.js';
import { createDynamoClient } from '../shared/storage/client.js';
import { openTable, type TTable } from '../shared/storage/db.js';
import { args, fail, withLocalData } from './cli.js';
import { findUserByEmail } from '../shared/storage/users.js';
import { createUser } from '../shared/storage/users.js';

const usage = 'npm run add-admin -- --email <address> --name <name> [--id <id>] [--aws]';
const a = args({ email: { type: 'string' }, name: { type: 'string' }, id: { type: 'string' }, aws: { type: 'boolean' } }, usage);
const parsed = ZUserForm.safeParse({
  id:
    a.id ??
    `admin-${
      (a.email ?? '')
        .split('@')[0]
        .replace(/[^A-Za-z0-9_-]/g, '')
        .slice(0, 30) || 'first'
    }`,
  name: a.name,
  email: a.email,
  role: 'admin',
  scope: '*',
});
if (!parsed.success || !a.email) {
  const problem = parsed.success
    ? '--email is required'
    : parsed.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join('; ');
  fail(`${problem}\nusage: ${usage}`);
}
const user = parsed.data;

async function add(table: TTable): Promise<void> {
  const taken = await findUserByEmail(table, user.email!);
  if (taken) fail(`${user.email} already belongs to user "${taken.id}" (${taken.role})`);
  const created = await createUser(table, user);
  if (created === 'email') fail(`${user.email} already belongs to another user`);
  if (!created) fail(`a user with id "${user.id}" exists; choose another --id`);
  console.log(`administrator "${user.id}" (${user.email}) added`);
}

if (a.aws) {
  const config = loadConfig();
  if (!process.env.TABLE_NAME) fail('--aws needs TABLE_NAME (the stack output TableName)');
  const client = createDynamoClient({ region: config.AWS_REGION });
  try {
    await add(openTable(client, config.TABLE_NAME));
  } finally {
    client.destroy();
  }
} else {
  await withLocalData(({ table }) => add(table));
}

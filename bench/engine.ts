/** A fresh in-memory dynalite (on its worker thread) with the app's table made, for the load phases of the benches. */
import { startDynalite, type TEngine } from '../shared/local/engine.js';
import { createDynamoClient } from '../shared/storage/client.js';
import { ensureTable } from '../shared/storage/schema.js';

export async function freshEngine(tableName: string): Promise<TEngine> {
  const engine = await startDynalite();
  const client = createDynamoClient({ endpoint: engine.endpoint });
  try {
    await ensureTable(client, tableName);
  } finally {
    client.destroy();
  }
  return engine;
}

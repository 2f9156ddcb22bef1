/** Machine API keys, stored by hash only; a hall's keys are listed by a short non-secret id. */
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { getItem, put, queryAll, strip, type TTable } from './db.js';
import * as keys from './keys.js';

export interface TApiKeyRecord {
  hallId: string;
  label: string;
  createdAt: string;
  revokedAt?: string;
}

export async function putApiKey(t: TTable, keyHash: string, rec: TApiKeyRecord): Promise<void> {
  await put(t, { ...keys.apiKey(keyHash), ...keys.apiKeyIndex(rec.hallId, rec.createdAt, keyHash), ...rec });
}

/** Read consistently: a key revoked a moment ago is refused at the next request. */
export async function getApiKey(t: TTable, keyHash: string): Promise<TApiKeyRecord | undefined> {
  const item = await getItem(t, keys.apiKey(keyHash), { consistent: true });
  return item ? strip<TApiKeyRecord>(item) : undefined;
}

export async function listApiKeys(t: TTable, hallId: string): Promise<(TApiKeyRecord & { keyId: string })[]> {
  return (await queryAll(t, { pk: keys.apiKeysOfHall(hallId), index: true })).map((i) => {
    const raw = unmarshall(i);
    return { ...strip<TApiKeyRecord>(raw), keyId: keys.apiKeyIdOf(String(raw.pk)) };
  });
}

/** Revokes a hall's key by its short id; false if there is no such key of that hall. */
export async function revokeApiKey(t: TTable, hallId: string, keyId: string, at: string): Promise<boolean> {
  const found = (await queryAll(t, { pk: keys.apiKeysOfHall(hallId), index: true }))
    .map((i) => unmarshall(i))
    .find((k) => String(k.pk).startsWith(keys.apiKeyPkPrefix(keyId)));
  if (!found || !/^[0-9a-f]{12}$/.test(keyId)) return false;
  await t.db.send(
    new UpdateItemCommand({
      TableName: t.name,
      Key: marshall({ pk: found.pk, sk: found.sk }),
      UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :at)',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: marshall({ ':at': at }),
    }),
  );
  return true;
}

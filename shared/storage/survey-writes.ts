/**
 * Saving and publishing survey definitions' versions (the reads are surveys.ts): a save validates against the zod
 * schema and puts the scope's next number conditionally, so two administrators saving at once get two versions.
 */
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import * as z from 'zod/mini';
import { ZSurveyDefinition } from '../domain/survey-schema.js';
import { versionId, type TSurveyDefinition } from '../domain/survey.js';
import { ifCondition, putIf, type TTable } from './db.js';
import * as keys from './keys.js';
import { listSurveyVersions, type TSurveyVersion } from './surveys.js';

/** Saves a definition as the scope's next version (unpublished). Returns it. */
export async function saveSurveyVersion(
  t: TTable,
  scope: string,
  definition: TSurveyDefinition,
  by: string,
  at: string,
): Promise<TSurveyVersion> {
  const def = JSON.stringify(z.parse(ZSurveyDefinition, definition));
  for (let attempt = 0; attempt < 5; attempt++) {
    const n = ((await listSurveyVersions(t, scope)).at(-1)?.n ?? 0) + 1;
    if (await putIf(t, 'absent', { ...keys.survey(scope, n), def, by, at }))
      return { scope, n, version: versionId(scope, n), definition, savedBy: by, savedAt: at };
  }
  throw new Error(`survey ${scope}: could not save a new version (too many concurrent saves)`);
}

/** Marks a saved version published (it is then in force for its scope, if it is the newest published). */
export function publishSurveyVersion(t: TTable, scope: string, n: number, at: string): Promise<boolean> {
  return ifCondition(() =>
    t.db.send(
      new UpdateItemCommand({
        TableName: t.name,
        Key: marshall(keys.survey(scope, n)),
        UpdateExpression: 'SET pub = if_not_exists(pub, :at)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: marshall({ ':at': at }),
      }),
    ),
  );
}

// schema/schema.graphql is what integrators generate clients from: it must be exactly what
// the code builds. Fix a failure with `npm run schema:print` and commit the result.
import { readFile } from 'node:fs/promises';
import { printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../schema/index.ts';

describe('schema/schema.graphql', () => {
  it('matches the schema the code builds', async () => {
    const committed = await readFile(new URL('../../schema/schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(`${printSchema(schema)}\n`);
  });

  it('keeps the names integrators rely on', () => {
    const query = schema.getQueryType()!.getFields();
    for (const name of ['me', 'agencies', 'operation', 'operations', 'scamDens', 'suspects', 'interceptedFunds', 'node']) {
      expect(query[name], name).toBeDefined();
    }
    for (const type of ['ScamDenConnection', 'SuspectConnection', 'InterceptedFundConnection', 'OperationConnection']) {
      expect(schema.getType(type), type).toBeDefined();
    }
    const summary = schema.getType('OperationSummary') as unknown as { getFields(): Record<string, unknown> };
    expect(Object.keys(summary.getFields())).toEqual([
      'countries', 'scamDens', 'densRaided', 'suspects', 'suspectsArrested', 'suspectsSurrendered',
      'suspectsWanted', 'traffickingVictims', 'devicesSeized', 'fundRecords', 'fundsByCurrency', 'fundsInterceptedUsd',
    ]);
  });
});

// The example operations GraphiQL opens with must keep working as the schema changes: each
// validates, and the liaison officer's dry run and the integrator's `me` run for real.
import { parse, validate, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleOperations, graphiqlOptions } from '../../api/graphiql.ts';
import { createOperation, createPartnerOperation } from '../../schema/operations.ts';
import { schema } from '../../schema/index.ts';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';

const document = parse(exampleOperations);
const names = document.definitions.map((d) => (d as OperationDefinitionNode).name?.value);

describe('GraphiQL examples', () => {
  let gw: TestGateway;
  let es: TestAgency;
  beforeAll(async () => {
    gw = await createTestGateway();
    es = await gw.addAgency('ES-PN');
    await createOperation(gw.db.prisma, { code: 'FIRST-LIGHT-2022', name: 'First Light', lead: 'ES-PN', participants: [] });
  });
  afterAll(() => gw.close());

  it('hold one example per user and validate against the schema', () => {
    expect(names).toEqual(['OperationTotals', 'DensWithSuspects', 'SubmitDryRun', 'ReadSubmission', 'MatchIdentifier', 'MyInvitations', 'Me']);
    expect(validate(schema, document)).toEqual([]);
    expect(exampleOperations).toMatch(/Headers tab/);
    expect(JSON.parse(graphiqlOptions.headers)).toHaveProperty('Authorization');
  });

  async function run(operationName: string, variables: Record<string, unknown> = {}, query = exampleOperations) {
    const response = await gw.app.fetch(
      new Request('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await es.token()}` },
        body: JSON.stringify({ query, operationName, variables }),
      }),
    );
    return (await response.json()) as { data?: Record<string, any>; errors?: unknown[] };
  }

  it('run the dry run (nothing stored), and read back a stored submission by id', async () => {
    const dry = await run('SubmitDryRun');
    expect(dry.errors).toBeUndefined();
    expect(dry.data?.submitRecords).toMatchObject({ dryRun: true, status: 'ACCEPTED', counts: { received: 1, accepted: 1, rejected: 0 } });
    expect(await gw.db.prisma.scamDen.count()).toBe(0);

    const stored = await run('SubmitDryRun', {}, exampleOperations.replace('dryRun: true', 'dryRun: false'));
    const id = stored.data?.submitRecords.id as string;
    const read = await run('ReadSubmission', { id });
    expect(read.data?.submission).toMatchObject({ id, status: 'ACCEPTED', counts: { accepted: 1 } });
  });

  it('match an identifier for the investigator: a hit on the stored sample, no value echoed', async () => {
    const sample = exampleOperations.replace('"GQL-D-1"', '"GQL-D-2"').replace(
      '"devicesSeized": 12 } ] }',
      '"devicesSeized": 12 }, { "kind": "suspect", "ref": "GQL-S-1", "sharingLevel": "RED", "nationality": "VN", "identifiers": [ { "type": "PASSPORT", "country": "VN", "value": "C1234567" } ], "role": "MEMBER", "status": "WANTED" } ] }',
    );
    expect((await run('SubmitDryRun', {}, sample.replace('dryRun: true', 'dryRun: false'))).data?.submitRecords.counts).toMatchObject({ accepted: 2 });
    const result = await run('MatchIdentifier');
    expect(result.errors).toBeUndefined();
    expect(result.data?.match.results[0]).toMatchObject({ index: 0, hit: true, hits: [{ owner: { code: 'ES-PN' }, recordType: 'SUSPECT', own: true }] });
    expect(JSON.stringify(result.data)).not.toContain('C1234567');
  });

  it('list the invitations of the liaison officer’s agency', async () => {
    await gw.addAgency('DE-BKA');
    await createPartnerOperation(gw.db.prisma, { agencyCode: 'DE-BKA' }, { code: 'NIGHT-FALL', name: 'Night Fall', participants: ['ES-PN'] }, gw.clock.now);
    const result = await run('MyInvitations');
    expect(result.errors).toBeUndefined();
    expect(result.data?.invitations).toMatchObject([{ qualifiedCode: 'DE-BKA/NIGHT-FALL', name: 'Night Fall', lead: { code: 'DE-BKA' } }]);
  });

  it('answer `me` for the integrator', async () => {
    expect((await run('Me')).data?.me).toMatchObject({ agency: { code: 'ES-PN' }, subject: 'officer-7' });
  });
});

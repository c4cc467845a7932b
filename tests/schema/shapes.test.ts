// One source for each shape: the GraphQL types that are built from another definition must
// still say what that definition says. The report types come from ingest/report.ts, the
// partner formats from the adapter registry, the database enums from the Prisma schema, and
// the provenance fields and common filters of the three record types from one helper.
import {
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLInputField,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { ADAPTER_FORMATS } from '../../adapters/index.ts';
import { reportIssueSchema, submissionCountsSchema, submissionReportSchema } from '../../ingest/report.ts';
import * as PrismaEnums from '../../prisma/generated/client/enums.ts';
import { schema } from '../../schema/index.ts';
import { reportFieldsOf } from '../../schema/types/submission.ts';

function objectType(name: string) {
  const type = schema.getType(name);
  if (!isObjectType(type)) throw new Error(`${name} is not an object type`);
  return type;
}

function inputType(name: string) {
  const type = schema.getType(name);
  if (!isInputObjectType(type)) throw new Error(`${name} is not an input type`);
  return type;
}

/** What a field says to a client: its type as printed and its description. */
const contract = (field: GraphQLField<unknown, unknown> | GraphQLInputField) => ({ type: String(field.type), description: field.description ?? null });

describe('the submission report', () => {
  for (const [typeName, definition] of [
    ['Submission', submissionReportSchema],
    ['SubmissionCounts', submissionCountsSchema],
    ['SubmissionIssue', reportIssueSchema],
  ] as const) {
    it(`${typeName} has the fields, descriptions and nullability of the report definition`, () => {
      const type = objectType(typeName);
      expect(type.description).toContain(definition.description);
      const fields = type.getFields();
      const expected = reportFieldsOf(definition);
      expect(Object.keys(fields)).toEqual(expected.map((f) => f.name));
      for (const { name, description, nullable } of expected) {
        expect(fields[name]!.description, name).toBe(description);
        expect(isNonNullType(fields[name]!.type), name).toBe(!nullable);
      }
    });
  }

  it('Submission.status and Submission.format are enums, not strings', () => {
    const fields = objectType('Submission').getFields();
    expect(String(fields.status!.type)).toBe('SubmissionStatus!');
    expect(String(fields.format!.type)).toBe('PartnerFormat!');
    expect(String(inputType('SubmitRecordsInput').getFields().format!.type)).toBe('PartnerFormat!');
  });
});

describe('enums', () => {
  it('PartnerFormat has one value per registered adapter, standing for its format name', () => {
    const type = schema.getType('PartnerFormat');
    if (!isEnumType(type)) throw new Error('PartnerFormat is not an enum');
    expect(type.getValues().map((v) => v.value)).toEqual([...ADAPTER_FORMATS]);
  });

  it('every GraphQL enum named like a database enum has exactly its values, in its order', () => {
    const shared = Object.entries(PrismaEnums).filter(([name]) => schema.getType(name) !== undefined);
    expect(shared.map(([name]) => name)).toEqual(expect.arrayContaining(['SharingLevel', 'DenType', 'SuspectStatus', 'SubmissionStatus']));
    for (const [name, values] of shared) {
      const type = schema.getType(name);
      if (!isEnumType(type)) throw new Error(`${name} is not an enum`);
      expect(type.getValues().map((v) => v.name), name).toEqual(Object.values(values as Record<string, string>));
    }
  });
});

describe('the three shared record types', () => {
  const RECORDS = ['ScamDen', 'Suspect', 'InterceptedFund'] as const;
  const PROVENANCE = ['owner', 'sourceRef', 'sharingLevel', 'operation', 'createdAt', 'updatedAt', 'retractedAt'];
  const COMMON_FILTERS = ['operationCode', 'owner', 'sharingLevel', 'country', 'status'];

  it('carry the same provenance fields, each described, with the same type and description', () => {
    const [first, ...others] = RECORDS.map((name) => objectType(name).getFields());
    for (const field of PROVENANCE) {
      expect(first![field], field).toBeDefined();
      expect(first![field]!.description, field).toBeTruthy();
      for (const other of others) expect(contract(other[field]!), field).toEqual(contract(first![field]!));
    }
  });

  it('take the same common filters, each described except the enum ones', () => {
    const filters = RECORDS.map((name) => inputType(`${name}Filter`).getFields());
    for (const filter of filters) for (const name of COMMON_FILTERS) expect(filter[name], name).toBeDefined();
    for (const name of ['operationCode', 'owner', 'sharingLevel']) {
      for (const filter of filters.slice(1)) expect(contract(filter[name]!), name).toEqual(contract(filters[0]![name]!));
    }
  });

  it('have root connections with the same filter argument and totalCount', () => {
    const query = schema.getQueryType()!.getFields();
    for (const [field, record] of [['scamDens', 'ScamDen'], ['suspects', 'Suspect'], ['interceptedFunds', 'InterceptedFund']] as const) {
      const args = Object.fromEntries(query[field]!.args.map((a) => [a.name, String(a.type)]));
      expect(args).toEqual({ filter: `${record}Filter`, first: 'Int', after: 'String', last: 'Int', before: 'String' });
      const connection = getNullableType(query[field]!.type);
      if (!isObjectType(connection)) throw new Error(`${field} is not a connection`);
      expect(String(connection.getFields().totalCount!.type)).toBe('Int!');
      expect(isListType(getNullableType(connection.getFields().edges!.type))).toBe(true);
    }
  });
});

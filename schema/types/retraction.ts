// Mutation.retractRecord: the owner withdraws one of its records (schema/retraction.ts holds the
// rules). The id is the record's node id, or its plain uuid as REST and hits give it.
import { decodeGlobalID } from '@pothos/plugin-relay';
import { isUuid } from '../../kernel/ids.ts';
import { MAX_RETRACTION_REASON, retractRecord, type Retraction } from '../retraction.ts';
import { builder } from '../builder.ts';
import { RecordType } from './match.ts';
import { viewerOf } from './records.ts';

/** The uuid behind a node id (`Suspect:uuid` in base64) or a plain uuid; the text itself otherwise (then not found). */
function recordUuid(id: string): string {
  if (isUuid(id)) return id;
  try {
    return decodeGlobalID(id).id;
  } catch {
    return id;
  }
}

const RetractionRef = builder.objectRef<Retraction>('Retraction').implement({
  description: 'A record its owner retracted: gone from every partner view and every match; its history is kept.',
  fields: (t) => ({
    id: t.id({ description: 'The record id (a plain uuid).', resolve: (r) => r.id }),
    recordType: t.field({ type: RecordType, resolve: (r) => r.recordType }),
    sourceRef: t.exposeString('sourceRef', { description: 'Your own reference of the record: a later file with it does not revive it.' }),
    retractedAt: t.expose('retractedAt', { type: 'DateTime' }),
    reason: t.exposeString('reason'),
  }),
});

builder.mutationFields((t) => ({
  retractRecord: t.field({
    type: RetractionRef,
    description:
      'The owner retracts one of its records: it leaves every partner view and every match, agencies holding a live ' +
      'disclosure grant for it are told (RECORD_RETRACTED), and a later file with its sourceRef does not revive it. ' +
      "Another agency's record is not found, as a missing one.",
    authScopes: { scope: 'records:submit' },
    args: {
      id: t.arg.id({ required: true, description: "The record's node id or uuid." }),
      reason: t.arg.string({ required: true, description: `Why (at most ${MAX_RETRACTION_REASON} characters).` }),
    },
    resolve: (_root, { id, reason }, ctx) => retractRecord(ctx.prisma, viewerOf(ctx), { id: recordUuid(String(id)), reason }, { now: ctx.now }),
  }),
}));

// Scam dens: the call-centre compounds and hubs that run the fraud.
import { visibleRecordWhere } from '../sharing.ts';
import { builder } from '../builder.ts';
import { DenStatus, DenType } from './enums.ts';
import { InterceptedFund, InterceptedFundConnection } from './intercepted-fund.ts';
import { addProvenanceFields, addRecordConnection, commonFilterFields, relatedRecords, viewerOf } from './records.ts';
import { Suspect, SuspectConnection } from './suspect.ts';

export const ScamDen = builder.prismaNode('ScamDen', {
  id: { field: 'id' },
  nullable: true,
  description: 'A scam den (compound, call centre, hub). Location is coarse: country, region, geohash ≤ 5.',
  findUnique: (id, ctx) => ({ id, ...visibleRecordWhere(viewerOf(ctx)) }),
  fields: (t) => ({
    country: t.exposeString('country'),
    region: t.exposeString('region', { nullable: true }),
    geohash: t.exposeString('geohash', { nullable: true, description: 'Geohash of precision 5 at most (~5 km).' }),
    denType: t.expose('denType', { type: DenType }),
    status: t.expose('status', { type: DenStatus }),
    raidedOn: t.expose('raidedOn', { type: 'Date', nullable: true }),
    devicesSeized: t.exposeInt('devicesSeized', { nullable: true }),
    firstSeenOn: t.expose('firstSeenOn', { type: 'Date', nullable: true }),
    suspects: t.connection(relatedRecords(Suspect, 'ScamDen.suspects', 'scamDen', 'suspects'), SuspectConnection),
    interceptedFunds: t.connection(
      relatedRecords(InterceptedFund, 'ScamDen.interceptedFunds', 'scamDen', 'funds'),
      InterceptedFundConnection,
    ),
  }),
});

addProvenanceFields('ScamDen');

export const ScamDenConnection = builder.connectionObject({ type: ScamDen, name: 'ScamDenConnection' });

export const ScamDenFilter = builder.inputType('ScamDenFilter', {
  fields: (t) => ({
    ...commonFilterFields(t, { country: 'ISO 3166-1 alpha-2.', status: DenStatus }),
    denType: t.field({ type: DenType }),
  }),
});

addRecordConnection({
  field: 'scamDens',
  model: 'ScamDen',
  node: ScamDen,
  connection: ScamDenConnection,
  filter: ScamDenFilter,
  columns: { country: 'country', status: 'status' },
  own: (filter) => (filter?.denType ? { denType: filter.denType } : {}),
});

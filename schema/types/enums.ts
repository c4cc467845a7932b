// GraphQL enums. The database enums come from Prisma's generated enums (prisma/schema.prisma is
// their one source: same names, same values, same order); the partner formats come from the
// adapter registry. No list of values is written here.
import { ADAPTERS } from '../../adapters/index.ts';
import * as E from '../../prisma/generated/client/enums.ts';
import { builder } from '../builder.ts';

export const SharingLevel = builder.enumType(E.SharingLevel, { name: 'SharingLevel' });
export const AgencyStatus = builder.enumType(E.AgencyStatus, { name: 'AgencyStatus' });
export const OperationStatus = builder.enumType(E.OperationStatus, { name: 'OperationStatus' });
export const DenType = builder.enumType(E.DenType, { name: 'DenType' });
export const DenStatus = builder.enumType(E.DenStatus, { name: 'DenStatus' });
export const Sex = builder.enumType(E.Sex, { name: 'Sex' });
export const SuspectRole = builder.enumType(E.SuspectRole, { name: 'SuspectRole' });
export const SuspectStatus = builder.enumType(E.SuspectStatus, { name: 'SuspectStatus' });
export const FundChannel = builder.enumType(E.FundChannel, { name: 'FundChannel' });
export const FundAction = builder.enumType(E.FundAction, { name: 'FundAction' });
export const SubmissionMode = builder.enumType(E.SubmissionMode, { name: 'SubmissionMode' });
export const SubmissionStatus = builder.enumType(E.SubmissionStatus, { name: 'SubmissionStatus' });
export const HandlingCode = builder.enumType(E.HandlingCode, {
  name: 'HandlingCode',
  description:
    "How a record may be used: H0 law-enforcement use only; H1 not for judicial use without the owner's permission; " +
    'H2 no onward dissemination without permission; H3 other restrictions (handlingNote).',
});
export const SourceReliability = builder.enumType(E.SourceReliability, {
  name: 'SourceReliability',
  description: 'Reliability of the source (4x4 evaluation): A reliable, B mostly reliable, C not reliable, X cannot be assessed.',
});

/** The GraphQL name of a partner format: `es-pn-csv` → `ES_PN_CSV`, `stix-2.1` → `STIX_2_1`. */
export function partnerFormatName(format: string): string {
  return format.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

/** One value per adapter of the registry (adapters/index.ts), which is the source of the list. */
export const PartnerFormat = builder.enumType('PartnerFormat', {
  description: 'A partner file format, one per adapter of the gateway. Each value names its REST `format` parameter in its description (ES_PN_CSV is `es-pn-csv`).',
  values: Object.fromEntries(
    ADAPTERS.map((adapter) => [partnerFormatName(adapter.format), { value: adapter.format, description: `\`${adapter.format}\`: ${adapter.description}.` }]),
  ),
});

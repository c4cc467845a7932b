// GraphQL enums with the same names and values as the database enums (DESIGN.md).
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

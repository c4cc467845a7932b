// The handling code, the 4x4 evaluation and the matchable flag of one record (contract.ts
// RecordCodes), read the same way in every format: each map.ts names its own fields and passes
// their raw values. An evaluation is either one code (`B2`: source reliability then information
// assessment) or two fields. Empty means the default (H0, X, 4, matchable); absent keeps the
// stored value; H3 needs a handling note in the same record (MISSING_FIELD on the note field).
import {
  HANDLING_CODES,
  INFORMATION_ASSESSMENTS,
  SOURCE_RELIABILITIES,
  type InformationAssessment,
  type RecordCodes,
  type SourceReliability,
} from '../contract.ts';
import { sharedNames } from './enums.ts';
import { byTable } from './field-parsers.ts';
import { parseFreeText, type FieldParser, type FieldReader } from './fields.ts';
import { fail, ok } from './issues.ts';

export const DEFAULT_CODES = { handling: 'H0', sourceReliability: 'X', informationAssessment: 4, matchable: true } as const;

export const parseHandling = byTable(sharedNames(HANDLING_CODES));
export const parseSourceReliability = byTable(sharedNames(SOURCE_RELIABILITIES));

const ASSESSMENT_NAMES = INFORMATION_ASSESSMENTS.map(String);
export const parseInformationAssessment: FieldParser<InformationAssessment> = (text) => {
  const value = text.trim();
  return ASSESSMENT_NAMES.includes(value) ? ok(Number(value) as InformationAssessment) : fail('UNKNOWN_VALUE', { allowed: ASSESSMENT_NAMES });
};

/** Every evaluation code, `A1` … `X4`. */
export const EVALUATION_CODES = SOURCE_RELIABILITIES.flatMap((s) => ASSESSMENT_NAMES.map((i) => `${s}${i}`));

export type Evaluation = { sourceReliability: SourceReliability; informationAssessment: InformationAssessment };

/** `B2` → B and 2 (case and surrounding spaces ignored). */
export const parseEvaluation: FieldParser<Evaluation> = (text) => {
  const code = text.trim().toUpperCase();
  if (!EVALUATION_CODES.includes(code)) return fail('UNKNOWN_VALUE', { allowed: EVALUATION_CODES });
  return ok({ sourceReliability: code[0] as SourceReliability, informationAssessment: Number(code[1]) as InformationAssessment });
};

/** One field as a format names it, with the raw value the file holds (undefined: absent). */
type Field = readonly [name: string, raw: unknown];

export type CodeFields = {
  handling?: Field;
  handlingNote?: Field;
  /** One field holding `B2`… */
  evaluation?: Field;
  /** …or two. */
  sourceReliability?: Field;
  informationAssessment?: Field;
  /** The field and the format's yes/no spelling of it. */
  matchable?: readonly [name: string, raw: unknown, parse: FieldParser<boolean>];
};

/** The record's codes, reported through `r`; members the file does not carry stay undefined. */
export function readCodes(r: FieldReader, fields: CodeFields): RecordCodes {
  const codes: RecordCodes = {};
  if (fields.handling) codes.handling = r.read(fields.handling[0], fields.handling[1], parseHandling, { emptyAs: DEFAULT_CODES.handling });
  if (fields.handlingNote) codes.handlingNote = r.read(fields.handlingNote[0], fields.handlingNote[1], parseFreeText);
  if (codes.handling === 'H3' && !codes.handlingNote) r.report(fields.handlingNote?.[0] ?? fields.handling![0], 'MISSING_FIELD');
  if (fields.evaluation) {
    const evaluation = r.read(fields.evaluation[0], fields.evaluation[1], parseEvaluation, {
      emptyAs: { sourceReliability: DEFAULT_CODES.sourceReliability, informationAssessment: DEFAULT_CODES.informationAssessment },
    });
    if (evaluation) Object.assign(codes, evaluation);
  }
  if (fields.sourceReliability) {
    codes.sourceReliability = r.read(fields.sourceReliability[0], fields.sourceReliability[1], parseSourceReliability, {
      emptyAs: DEFAULT_CODES.sourceReliability,
    });
  }
  if (fields.informationAssessment) {
    codes.informationAssessment = r.read(fields.informationAssessment[0], fields.informationAssessment[1], parseInformationAssessment, {
      emptyAs: DEFAULT_CODES.informationAssessment,
    });
  }
  if (fields.matchable) codes.matchable = r.flag(fields.matchable[0], fields.matchable[1], fields.matchable[2], DEFAULT_CODES.matchable);
  return codes;
}

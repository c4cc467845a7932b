// A submission's defaults for the handling code and the evaluation (REST `?handling=H2&evaluation=B2`,
// the GraphQL submission input, `liaison submit --handling --evaluation`): they apply to the
// records of the file that carry no such field themselves, as if the record said so. A bad code
// is a BAD_USER_INPUT naming the parameter. H3 cannot be a default: its restrictions are written
// per record (handlingNote).
import { HANDLING_CODES, type HandlingCode, type InformationAssessment, type SourceReliability } from '../adapters/contract.ts';
import { EVALUATION_CODES, parseEvaluation } from '../adapters/shared/codes.ts';
import type { AnonymizedRecord } from '../adapters/pseudonymize.ts';
import { ErrorCode, LiaisonError } from '../kernel/errors.ts';

/**
 * A submission's defaults (`?handling=H2&evaluation=B2`): they apply to the records that do not
 * carry the field themselves, as if the record said so.
 */
export type SubmissionDefaults = { handling?: HandlingCode; sourceReliability?: SourceReliability; informationAssessment?: InformationAssessment };


/** The defaults as the submission row keeps them (`H2,B2`, `H2`, `,B2`; empty without any): part of its replay fingerprint. */
export function defaultsText(defaults: SubmissionDefaults | undefined): string {
  if (!defaults) return '';
  const evaluation = defaults.sourceReliability && defaults.informationAssessment ? `${defaults.sourceReliability}${defaults.informationAssessment}` : '';
  return defaults.handling || evaluation ? `${defaults.handling ?? ''},${evaluation}` : '';
}

/** The record with the submission's defaults filled in where it carries no such field. */
export function withDefaults<R extends AnonymizedRecord>(record: R, defaults: SubmissionDefaults | undefined): R {
  if (!defaults) return record;
  const filled = { ...record };
  if (record.handling === undefined && defaults.handling) filled.handling = defaults.handling;
  if (record.sourceReliability === undefined && defaults.sourceReliability) filled.sourceReliability = defaults.sourceReliability;
  if (record.informationAssessment === undefined && defaults.informationAssessment) filled.informationAssessment = defaults.informationAssessment;
  return filled;
}


const DEFAULT_HANDLING: readonly string[] = HANDLING_CODES.filter((c) => c !== 'H3');

/** The defaults of a request, from its `handling` and `evaluation` texts (either may be absent). */
export function parseSubmissionDefaults(text: { handling?: string | null | undefined; evaluation?: string | null | undefined }): SubmissionDefaults | undefined {
  const defaults: SubmissionDefaults = {};
  if (text.handling !== undefined && text.handling !== null) {
    const handling = text.handling.trim().toUpperCase();
    if (!DEFAULT_HANDLING.includes(handling)) {
      throw new LiaisonError(ErrorCode.BAD_USER_INPUT, `handling must be one of ${DEFAULT_HANDLING.join(', ')} (H3 is set per record, with its handlingNote).`, {
        issues: [{ field: 'handling', code: 'UNKNOWN_VALUE' }],
      });
    }
    defaults.handling = handling as HandlingCode;
  }
  if (text.evaluation !== undefined && text.evaluation !== null) {
    const evaluation = parseEvaluation(text.evaluation, false);
    if (!evaluation.ok) {
      throw new LiaisonError(ErrorCode.BAD_USER_INPUT, 'evaluation must be a source reliability (A, B, C, X) then an information assessment (1-4), e.g. B2.', {
        issues: [{ field: 'evaluation', code: 'UNKNOWN_VALUE' }],
      });
    }
    Object.assign(defaults, evaluation.value);
  }
  return Object.keys(defaults).length > 0 ? defaults : undefined;
}

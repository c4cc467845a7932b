// Amount limiting for every connection (SECURITY-MATRIX GQL-06): `first`/`last` within
// 1–100, `first` and `last` never together. `first` may be omitted (DESIGN.md declares it
// optional) and then means 20.
import { ErrorCode, LiaisonError } from '../api/errors.ts';

export const MAX_PAGE = 100;

type PageArgs = { first?: number | null; last?: number | null; after?: string | null; before?: string | null };

export function assertPageArgs(args: PageArgs): void {
  const bad = (field: string, message: string) =>
    new LiaisonError(ErrorCode.BAD_USER_INPUT, message, { issues: [{ path: field, code: 'OUT_OF_RANGE' }] });
  if (args.first != null && args.last != null) throw bad('last', 'Use either first or last, not both.');
  for (const field of ['first', 'last'] as const) {
    const value = args[field];
    if (value != null && (!Number.isInteger(value) || value < 1 || value > MAX_PAGE)) {
      throw bad(field, `${field} must be between 1 and ${MAX_PAGE}.`);
    }
  }
}

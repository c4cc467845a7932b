// SQL shared by the bench's peers of the gateway (the raw baselines and PostGraphile's
// row-level security): the sharing rule of schema/sharing.ts for a fixed viewer, and the scalar
// formats of the GraphQL answer (Relay global ids, dates, decimals). The verification in
// bench/lib/verify.ts compares every peer's data with the gateway's, so a drift here fails the
// run before anything is measured.

/**
 * The sharing rule of schema/sharing.ts for the rows of `r` (an alias or a table name);
 * `viewer` is the SQL expression of the viewer agency's id ($1 in the raw baselines).
 */
export const visible = (r: string, viewer = '$1') => `(
  ${r}.owner_id = ${viewer} OR (${r}.retracted_at IS NULL AND (
    ${r}.sharing_level IN ('CLEAR', 'GREEN')
    OR (${r}.sharing_level = 'AMBER' AND EXISTS (
      SELECT 1 FROM operation_participant op WHERE op.operation_id = ${r}.operation_id AND op.agency_id = ${viewer})))))`;

export const globalIdSql = (type: string, column: string) => `encode(convert_to('${type}:' || ${column}::text, 'UTF8'), 'base64')`;
export const dateSql = (column: string) => `to_char(${column}, 'YYYY-MM-DD')`;
/** formatDecimal of schema/scalars.ts: no trailing zeros beyond two decimals. */
export const decimalSql = (column: string) =>
  `CASE WHEN ${column} IS NULL THEN NULL WHEN scale(trim_scale(${column})) < 2 THEN round(${column}, 2)::text ELSE trim_scale(${column})::text END`;

/** The Relay global id the gateway gives a record: base64 of `Type:uuid`. */
export const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`, 'utf8').toString('base64');

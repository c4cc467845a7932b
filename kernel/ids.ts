// The shape of the gateway's record ids (PostgreSQL uuid): checked before an id from outside
// reaches a query, so PostgreSQL never refuses one with an error that quotes it.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

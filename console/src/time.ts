// Times as the console shows them: to the minute, in UTC and saying so, the same in every
// language, so that officers of different countries quote the same moment.
export function dateTime(iso: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

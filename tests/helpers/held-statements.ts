// A stand-in for a database client's raw statements (tests of the group commit in
// kernel/batch.ts): the statements go to the real client, counted; the first one is held for
// `holdMs`, so that the calls made meanwhile arrive while it runs, and those numbered in `fail`
// fail as a database that went away would.
import type { PrismaClient } from '../../prisma/generated/client/client.ts';

type RawStatements = Pick<PrismaClient, '$queryRaw' | '$executeRaw'>;

export function heldStatements(client: RawStatements, holdMs: number, fail: readonly number[] = []) {
  let statements = 0;
  const before = async () => {
    const n = ++statements;
    if (n === 1) await new Promise((resolve) => setTimeout(resolve, holdMs));
    if (fail.includes(n)) throw new Error('the database went away');
  };
  const prisma: RawStatements = {
    $queryRaw: (async (...args: Parameters<PrismaClient['$queryRaw']>) => {
      await before();
      return client.$queryRaw(...args);
    }) as PrismaClient['$queryRaw'],
    $executeRaw: (async (...args: Parameters<PrismaClient['$executeRaw']>) => {
      await before();
      return client.$executeRaw(...args);
    }) as PrismaClient['$executeRaw'],
  };
  return { prisma, count: () => statements };
}

// A deterministic generator of anonymized shared records, for the demo data and the
// benchmarks: the same seed always gives the same dens, suspects and funds. Rows are written
// with set-based SQL (INSERT … SELECT FROM unnest) in batches, never one ORM call per row.
// Persons are pseudonymized exactly as ingestion does: personKey = HMAC(key, "PASSPORT:CC:NUMBER").
import { createHash } from 'node:crypto';
import {
  DEN_STATUSES,
  DEN_TYPES,
  FUND_ACTIONS,
  FUND_CHANNELS,
  SHARING_LEVELS,
  SUSPECT_ROLES,
  SUSPECT_STATUSES,
  type Sex,
} from '../../../adapters/contract.ts';
import { selectorHash } from '../../../adapters/pseudonymize.ts';
import type { PrismaClient } from '../../../prisma/generated/client/client.ts';

/** mulberry32: small, fast, seedable; good enough to spread synthetic data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A UUID derived from a name, so generated rows keep their ids from run to run. */
export function stableUuid(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const COUNTRIES = ['KH', 'MM', 'LA', 'PH', 'TH', 'VN', 'MY', 'ID', 'AE', 'TR', 'ES', 'GE', 'NG', 'PE', 'MX'];
const NATIONALITIES = ['CN', 'VN', 'ID', 'PH', 'TH', 'MM', 'KH', 'ES', 'TW', 'MY', 'KR', 'IN', 'NG'];
const REGIONS: Record<string, string> = {
  KH: 'Sihanoukville', MM: 'Myawaddy', LA: 'Bokeo', PH: 'Pampanga', TH: 'Mae Sot', VN: 'Ho Chi Minh City',
  MY: 'Kuala Lumpur', ID: 'Batam', AE: 'Dubai', TR: 'Istanbul', ES: 'Madrid', GE: 'Tbilisi', NG: 'Lagos',
  PE: 'Lima', MX: 'Cancún',
};
/** `values` in their order, each repeated by its weight (default 1): how often `pick` draws it. */
const weighted = <T extends string>(values: readonly T[], weights: Partial<Record<T, number>>): T[] =>
  values.flatMap((value) => Array<T>(weights[value] ?? 1).fill(value));

// The shared enums come from the adapter contract (checked against the database's there).
const ROLES = weighted(SUSPECT_ROLES, { MEMBER: 2 });
const STATUSES = weighted(SUSPECT_STATUSES, { ARRESTED: 2 });
// Not in the enum's order: the seeded data stays what it was.
const SEXES = ['M', 'M', 'F', 'X', 'UNKNOWN'] as const satisfies readonly Sex[];
const CHANNELS = FUND_CHANNELS;
const ACTIONS = FUND_ACTIONS;
const CURRENCIES = ['USD', 'CNY', 'EUR', 'PHP', 'THB', 'USDT', 'MYR'];
const LEVELS = weighted(SHARING_LEVELS, { GREEN: 2, AMBER: 3 });
const GEOHASH_ALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';

export type GenerateOptions = {
  seed: number;
  pseudonymKey: string;
  owners: { id: string; code: string }[];
  operationId: string | null;
  dens: number;
  suspects: number;
  funds: number;
  /** Fraction of suspects that reuse a person of an earlier one (cross-agency linkage). */
  sharedPersonRate?: number;
  /** Added to generated refs so several generations can go into one database. */
  refPrefix?: string;
  batchSize?: number;
};

export type GeneratedCounts = { dens: number; suspects: number; funds: number; selectors: number };

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

function isoDate(random: () => number, fromYear: number, toYear: number): string {
  const start = Date.UTC(fromYear, 0, 1);
  const end = Date.UTC(toYear, 11, 31);
  return new Date(start + Math.floor(random() * (end - start))).toISOString().slice(0, 10);
}

/** Writes the generated records; returns how many rows of each kind were inserted. */
export async function generateRecords(prisma: PrismaClient, options: GenerateOptions): Promise<GeneratedCounts> {
  const random = seededRandom(options.seed);
  const prefix = options.refPrefix ?? 'GEN';
  const batchSize = options.batchSize ?? 5000;
  const sharedRate = options.sharedPersonRate ?? 0.1;
  const denIds: string[] = [];
  const counts: GeneratedCounts = { dens: 0, suspects: 0, funds: 0, selectors: 0 };

  for (let start = 0; start < options.dens; start += batchSize) {
    const rows = Array.from({ length: Math.min(batchSize, options.dens - start) }, (_, k) => {
      const i = start + k;
      const owner = options.owners[i % options.owners.length]!;
      const country = pick(random, COUNTRIES);
      const status = pick(random, DEN_STATUSES);
      const raided = status === 'RAIDED' || status === 'DISMANTLED';
      const id = stableUuid(`${prefix}:den:${options.seed}:${i}`);
      denIds.push(id);
      return {
        id,
        owner: owner.id,
        ref: `${prefix}-D-${i + 1}`,
        level: pick(random, LEVELS),
        country,
        region: REGIONS[country] ?? null,
        geohash: Array.from({ length: 5 }, () => pick(random, [...GEOHASH_ALPHABET])).join(''),
        denType: pick(random, DEN_TYPES),
        status,
        raidedOn: raided ? isoDate(random, 2019, 2024) : null,
        devices: raided ? Math.floor(random() * 400) : null,
        firstSeen: isoDate(random, 2016, 2019),
      };
    });
    await prisma.$executeRaw`
      INSERT INTO scam_den (id, owner_id, source_ref, operation_id, sharing_level, country, region, geohash,
                            den_type, status, raided_on, devices_seized, first_seen_on)
      SELECT u.id, u.owner_id, u.ref, ${options.operationId}::uuid, u.level::"SharingLevel", u.country, u.region,
             u.geohash, u.den_type::"DenType", u.status::"DenStatus", u.raided_on, u.devices, u.first_seen
        FROM unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.owner)}::uuid[], ${rows.map((r) => r.ref)}::text[],
                    ${rows.map((r) => r.level)}::text[], ${rows.map((r) => r.country)}::text[], ${rows.map((r) => r.region)}::text[],
                    ${rows.map((r) => r.geohash)}::text[], ${rows.map((r) => r.denType)}::text[], ${rows.map((r) => r.status)}::text[],
                    ${rows.map((r) => r.raidedOn)}::date[], ${rows.map((r) => r.devices)}::int[], ${rows.map((r) => r.firstSeen)}::date[])
          AS u(id, owner_id, ref, level, country, region, geohash, den_type, status, raided_on, devices, first_seen)`;
    counts.dens += rows.length;
  }

  const persons: { nationality: string; number: string }[] = [];
  for (let start = 0; start < options.suspects; start += batchSize) {
    const rows = Array.from({ length: Math.min(batchSize, options.suspects - start) }, (_, k) => {
      const i = start + k;
      const owner = options.owners[i % options.owners.length]!;
      const reuse = persons.length > 0 && random() < sharedRate;
      const person = reuse
        ? pick(random, persons)
        : { nationality: pick(random, NATIONALITIES), number: `${prefix}${(i * 7919 + options.seed).toString(36).toUpperCase()}` };
      if (!reuse) persons.push(person);
      const personKey = selectorHash(options.pseudonymKey, 'PASSPORT', `${person.nationality}:${person.number}`);
      const phoneKey = selectorHash(options.pseudonymKey, 'PHONE', `+8613${String(800000000 + i).padStart(9, '0')}`);
      return {
        id: stableUuid(`${prefix}:suspect:${options.seed}:${i}`),
        owner: owner.id,
        ref: `${prefix}-S-${i + 1}`,
        level: pick(random, LEVELS),
        personKey,
        phoneKey,
        nationality: person.nationality,
        birthYear: 1960 + Math.floor(random() * 45),
        sex: pick(random, SEXES),
        role: pick(random, ROLES),
        status: pick(random, STATUSES),
        statusOn: isoDate(random, 2019, 2024),
        victim: random() < 0.12,
        den: denIds.length ? pick(random, denIds) : null,
      };
    });
    await prisma.$executeRaw`
      INSERT INTO suspect (id, owner_id, source_ref, operation_id, sharing_level, person_key, nationality, birth_year,
                           sex, role, status, status_on, trafficking_victim, den_id)
      SELECT u.id, u.owner_id, u.ref, ${options.operationId}::uuid, u.level::"SharingLevel", u.person_key, u.nationality,
             u.birth_year, u.sex::"Sex", u.role::"SuspectRole", u.status::"SuspectStatus", u.status_on, u.victim, u.den_id
        FROM unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.owner)}::uuid[], ${rows.map((r) => r.ref)}::text[],
                    ${rows.map((r) => r.level)}::text[], ${rows.map((r) => r.personKey)}::text[], ${rows.map((r) => r.nationality)}::text[],
                    ${rows.map((r) => r.birthYear)}::int[], ${rows.map((r) => r.sex)}::text[], ${rows.map((r) => r.role)}::text[],
                    ${rows.map((r) => r.status)}::text[], ${rows.map((r) => r.statusOn)}::date[], ${rows.map((r) => r.victim)}::boolean[],
                    ${rows.map((r) => r.den)}::uuid[])
          AS u(id, owner_id, ref, level, person_key, nationality, birth_year, sex, role, status, status_on, victim, den_id)`;
    await prisma.$executeRaw`
      INSERT INTO selector (id, suspect_id, type, hash)
      SELECT gen_random_uuid(), s.id, s.type::"SelectorType", s.hash
        FROM unnest(${rows.flatMap((r) => [r.id, r.id])}::uuid[],
                    ${rows.flatMap(() => ['PASSPORT', 'PHONE'])}::text[],
                    ${rows.flatMap((r) => [r.personKey, r.phoneKey])}::text[]) AS s(id, type, hash)`;
    counts.suspects += rows.length;
    counts.selectors += rows.length * 2;
  }

  for (let start = 0; start < options.funds; start += batchSize) {
    const rows = Array.from({ length: Math.min(batchSize, options.funds - start) }, (_, k) => {
      const i = start + k;
      const owner = options.owners[i % options.owners.length]!;
      const currency = pick(random, CURRENCIES);
      const cents = 10_000 + Math.floor(random() * 500_000_000);
      const amount = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
      return {
        id: stableUuid(`${prefix}:fund:${options.seed}:${i}`),
        owner: owner.id,
        ref: `${prefix}-F-${i + 1}`,
        level: pick(random, LEVELS),
        amount,
        currency,
        amountUsd: currency === 'USD' || currency === 'USDT' ? amount : null,
        channel: currency === 'USDT' ? 'CRYPTO' : pick(random, CHANNELS),
        action: pick(random, ACTIONS),
        actionOn: isoDate(random, 2019, 2024),
        accountKey: selectorHash(options.pseudonymKey, 'BANK_ACCOUNT', `${pick(random, COUNTRIES)}:${i}`),
        accountCountry: pick(random, COUNTRIES),
        victims: Math.floor(random() * 30),
        den: denIds.length ? pick(random, denIds) : null,
      };
    });
    await prisma.$executeRaw`
      INSERT INTO intercepted_fund (id, owner_id, source_ref, operation_id, sharing_level, amount, currency, amount_usd,
                                    channel, action, action_on, account_key, account_country, victim_count, den_id)
      SELECT u.id, u.owner_id, u.ref, ${options.operationId}::uuid, u.level::"SharingLevel", u.amount, u.currency,
             u.amount_usd, u.channel::"FundChannel", u.action::"FundAction", u.action_on, u.account_key,
             u.account_country, u.victims, u.den_id
        FROM unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.owner)}::uuid[], ${rows.map((r) => r.ref)}::text[],
                    ${rows.map((r) => r.level)}::text[], ${rows.map((r) => r.amount)}::numeric[], ${rows.map((r) => r.currency)}::text[],
                    ${rows.map((r) => r.amountUsd)}::numeric[], ${rows.map((r) => r.channel)}::text[], ${rows.map((r) => r.action)}::text[],
                    ${rows.map((r) => r.actionOn)}::date[], ${rows.map((r) => r.accountKey)}::text[], ${rows.map((r) => r.accountCountry)}::text[],
                    ${rows.map((r) => r.victims)}::int[], ${rows.map((r) => r.den)}::uuid[])
          AS u(id, owner_id, ref, level, amount, currency, amount_usd, channel, action, action_on, account_key,
               account_country, victims, den_id)`;
    counts.funds += rows.length;
  }
  return counts;
}

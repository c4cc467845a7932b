// Countries: the full ISO 3166-1 alpha-2 list (officially assigned codes) plus the short
// names in Chinese and Spanish that the partner formats use (docs/formats/). Matching ignores case, accents
// and surrounding spaces, so `españa`, ` ESPAÑA ` and `es` are all ES. Anything else is
// UNKNOWN_COUNTRY. What does not live here: phone regions (libphonenumber-js has its own).
import { foldForMatch } from './text.ts';
import { fail, ok, type Result } from './issues.ts';

// ISO 3166-1 alpha-2, officially assigned codes (249).
const ISO_ALPHA2 = `AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER
ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM
IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF
MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK
PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD
TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW`
  .split(/\s+/)
  .filter(Boolean);

export const ISO_COUNTRY_CODES: ReadonlySet<string> = new Set(ISO_ALPHA2);

/** Short names partners write instead of codes: ISO, Chinese, Spanish names. */
const SHORT_NAMES: ReadonlyArray<readonly [string, ...string[]]> = [
  ['CN', '中国', 'China'],
  ['KH', '柬埔寨', 'Camboya'],
  ['MM', '缅甸', 'Birmania', 'Myanmar'],
  ['LA', '老挝', 'Laos'],
  ['TH', '泰国', 'Tailandia'],
  ['VN', '越南', 'Vietnam'],
  ['PH', '菲律宾', 'Filipinas'],
  ['MY', '马来西亚', 'Malasia'],
  ['ID', '印度尼西亚', 'Indonesia'],
  ['AE', '阿联酋', 'Emiratos Árabes Unidos'],
  ['TR', '土耳其', 'Turquía'],
  ['ES', '西班牙', 'España'],
  ['PT', '葡萄牙', 'Portugal'],
  ['FR', '法国', 'Francia'],
  ['DE', '德国', 'Alemania'],
  ['GB', '英国', 'Reino Unido'],
  ['NL', '荷兰', 'Países Bajos'],
  ['RO', '罗马尼亚', 'Rumanía'],
  ['MA', '摩洛哥', 'Marruecos'],
  ['CO', '哥伦比亚', 'Colombia'],
  ['PE', '秘鲁', 'Perú'],
  ['MX', '墨西哥', 'México'],
  ['AR', '阿根廷', 'Argentina'],
  ['GE', '格鲁吉亚', 'Georgia'],
  ['NG', '尼日利亚', 'Nigeria'],
];

const BY_FOLDED_NAME: ReadonlyMap<string, string> = new Map(
  SHORT_NAMES.flatMap(([code, ...names]) => names.map((name) => [foldForMatch(name), code] as const)),
);

/** Each accepted short name with its code, for tests and docs. */
export const COUNTRY_SHORT_NAMES: ReadonlyArray<readonly [name: string, code: string]> = SHORT_NAMES.flatMap(
  ([code, ...names]) => names.map((name) => [name, code] as const),
);

export function parseCountry(raw: string): Result<string, 'UNKNOWN_COUNTRY'> {
  const folded = foldForMatch(raw);
  const upper = folded.toUpperCase();
  if (/^[A-Z]{2}$/.test(upper) && ISO_COUNTRY_CODES.has(upper)) return ok(upper);
  const byName = BY_FOLDED_NAME.get(folded);
  return byName ? ok(byName) : fail('UNKNOWN_COUNTRY');
}

// cn-mps-json → shared records: the Chinese Ministry of Public Security export keeps its
// Chinese keys until here. One function per array: 窝点 (dens), 嫌疑人 (suspects), 涉案资金
// (funds). 金额 is scaled by 金额单位 (元 ×1, 万元 ×10,000, 亿元 ×100,000,000) by moving the
// decimal point, never through a float; 折合美元 is already in dollars and is not scaled.
// Identifiers: 护照号 → PASSPORT (国籍), 身份证号 → NATIONAL_ID CN, 手机号 → PHONE (region CN),
// 微信号 → MESSENGER wechat:, Telegram → MESSENGER telegram:, 账户 → BANK_ACCOUNT CN,
// 钱包地址 → CRYPTO_WALLET (币种 as ticker).
import { HANDLING_CODES, type MappedInterceptedFund, type RawIdentifier, type SelectorType } from '../contract.ts';
import { EVALUATION_CODES, readCodes } from '../shared/codes.ts';
import { parseCountry } from '../shared/countries.ts';
import { parseCurrency } from '../shared/currencies.ts';
import { spellingsOf, valueTable } from '../shared/enums.ts';
import { amountParser, byTable, coordinateParser, countParser, dateParser, yesNoParser } from '../shared/field-parsers.ts';
import { absentIdentifierGroups, FieldReader, parseFreeText, textOf, type MapContext, type MapResult } from '../shared/fields.ts';
import type { JsonObject, JsonValue } from '../shared/json-stream.ts';
import { shiftDecimal } from '../shared/numbers.ts';

const DATE_SPELLINGS = ['iso', 'slash-ymd', 'cjk'] as const;

export const CN_SHARING = valueTable({
  CLEAR: ['公开', 'CLEAR'],
  GREEN: ['绿色', 'GREEN'],
  AMBER: ['琥珀', 'AMBER'],
  RED: ['红色', 'RED'],
});
const DEN_TYPE = valueTable({
  CALL_CENTRE: ['话务窝点', '电话诈骗'],
  INVESTMENT_ROMANCE: ['投资理财', '杀猪盘', '婚恋交友'],
  BRUSHING_TASK: ['刷单', '刷单返利'],
  LOAN: ['套路贷', '网络贷款'],
  SEXTORTION: ['裸聊敲诈'],
  IMPERSONATION: ['冒充公检法', '冒充客服'],
  MONEY_LAUNDERING: ['跑分', '洗钱'],
  OTHER: ['其他'],
});
const DEN_STATUS = valueTable({ SUSPECTED: ['疑似'], ACTIVE: ['活跃'], RAIDED: ['已查处'], DISMANTLED: ['已捣毁'] });
const ROLE = valueTable({
  ORGANIZER: ['头目'],
  CORE_MEMBER: ['骨干'],
  MEMBER: ['成员'],
  MONEY_MULE: ['车手', '取款人'],
  RECRUITER: ['招募人员'],
  FACILITATOR: ['黑灰产', '引流', '技术支持'],
  UNKNOWN: ['未知'],
});
const SUSPECT_STATUS = valueTable({
  WANTED: ['在逃'],
  ARRESTED: ['抓获'],
  SURRENDERED: ['投案自首'],
  CHARGED: ['起诉'],
  CONVICTED: ['判决'],
  RELEASED: ['释放'],
  REPATRIATED: ['遣返'],
});
const CHANNEL = valueTable({
  BANK_TRANSFER: ['银行转账'],
  THIRD_PARTY_PAYMENT: ['三方支付', '四方支付'],
  SCORE_RUNNING: ['跑分平台'],
  CRYPTO: ['虚拟货币'],
  CASH: ['现金'],
  TRADE_HEDGING: ['贸易对冲'],
  OTHER: ['其他'],
});
const ACTION = valueTable({ STOP_PAYMENT: ['止付', '紧急止付'], FROZEN: ['冻结'], SEIZED: ['扣押'], RETURNED: ['返还'] });
const SEX = valueTable({ M: ['男'], F: ['女'] });
/** 金额单位 → power of ten. */
const UNIT = valueTable({ '0': ['元'], '4': ['万元'], '8': ['亿元'] });

const VICTIM = { yes: ['是', 'true'], no: ['否', 'false'] };
const victim = yesNoParser(VICTIM);
const MATCHABLE = { yes: ['是', 'true'], no: ['否', 'false'] };
const matchable = yesNoParser(MATCHABLE);

/** The fixed lists of cn-mps-json, by key (the officer guide lists them). */
export const CN_ALLOWED_VALUES: Readonly<Record<string, readonly string[]>> = {
  共享级别: spellingsOf(CN_SHARING),
  类型: spellingsOf(DEN_TYPE),
  '状态 (窝点)': spellingsOf(DEN_STATUS),
  角色: spellingsOf(ROLE),
  '状态 (嫌疑人)': spellingsOf(SUSPECT_STATUS),
  渠道: spellingsOf(CHANNEL),
  处置: spellingsOf(ACTION),
  性别: spellingsOf(SEX),
  金额单位: spellingsOf(UNIT),
  是否被拐骗: [...VICTIM.yes, ...VICTIM.no],
  处理代码: HANDLING_CODES,
  评估等级: EVALUATION_CODES,
  可比对: [...MATCHABLE.yes, ...MATCHABLE.no],
};
const amount = amountParser();
const count = countParser();

/** The file-level 共享级别 applies to records that name none. */
function sharingOf(r: FieldReader, o: JsonObject) {
  return r.sharing('共享级别', o['共享级别'], byTable(CN_SHARING));
}

/** 处理代码 (H0–H3), 处理说明 (the H3 note), 评估等级 (B2) and 可比对 (是/否) of one record. */
function codesOf(r: FieldReader, o: JsonObject) {
  return readCodes(r, {
    handling: ['处理代码', o['处理代码']],
    handlingNote: ['处理说明', o['处理说明']],
    evaluation: ['评估等级', o['评估等级']],
    matchable: ['可比对', o['可比对'], matchable],
  });
}

export function mapCnDen(o: JsonObject, context: MapContext): MapResult {
  const r = new FieldReader(context);
  const date = dateParser(r.today, DATE_SPELLINGS);
  const required = {
    ref: r.ref('编号', o['编号']),
    country: r.need('国家', o['国家'], parseCountry),
    denType: r.need('类型', o['类型'], byTable(DEN_TYPE)),
    status: r.need('状态', o['状态'], byTable(DEN_STATUS)),
  };
  const optional = {
    sharingLevel: sharingOf(r, o),
    ...codesOf(r, o),
    region: r.read('地区', o['地区'], parseFreeText),
    lat: r.read('纬度', o['纬度'], coordinateParser('lat')),
    lon: r.read('经度', o['经度'], coordinateParser('lon')),
    raidedOn: r.read('捣毁日期', o['捣毁日期'], date),
    devicesSeized: r.read('缴获作案工具', o['缴获作案工具'], count),
    firstSeenOn: r.read('发现日期', o['发现日期'], date),
  };
  return r.finish(required, (values) => ({ kind: 'scamDen', ...values, ...optional }));
}

/** 手机号 may be one string or a list of them. */
function phoneList(raw: JsonValue | undefined): { value: JsonValue; field: string }[] {
  if (Array.isArray(raw)) return raw.map((value, i) => ({ value, field: `手机号/${i}` }));
  return raw === undefined || raw === null ? [] : [{ value: raw, field: '手机号' }];
}

function suspectIdentifiers(o: JsonObject, nationality: string | undefined): RawIdentifier[] {
  const ids: RawIdentifier[] = [];
  const add = (type: SelectorType, raw: JsonValue | undefined, field: string, extra: Partial<RawIdentifier> = {}) => {
    const value = textOf(raw);
    if (value !== undefined) ids.push({ type, value, field, ...extra });
  };
  add('PASSPORT', o['护照号'], '护照号', nationality ? { country: nationality } : {});
  add('NATIONAL_ID', o['身份证号'], '身份证号', { country: 'CN' });
  for (const phone of phoneList(o['手机号'])) add('PHONE', phone.value, phone.field, { country: 'CN' });
  const wechat = textOf(o['微信号']);
  if (wechat !== undefined) add('MESSENGER', `wechat:${wechat}`, '微信号');
  const telegram = textOf(o['Telegram']);
  if (telegram !== undefined) add('MESSENGER', `telegram:${telegram}`, 'Telegram');
  return ids;
}

export function mapCnSuspect(o: JsonObject, context: MapContext): MapResult {
  const r = new FieldReader(context);
  const date = dateParser(r.today, DATE_SPELLINGS);
  const required = {
    ref: r.ref('编号', o['编号']),
    role: r.need('角色', o['角色'], byTable(ROLE)),
    status: r.need('状态', o['状态'], byTable(SUSPECT_STATUS)),
  };
  const nationality = r.read('国籍', o['国籍'], parseCountry);
  const optional = {
    sharingLevel: sharingOf(r, o),
    ...codesOf(r, o),
    fullName: r.read('姓名', o['姓名'], parseFreeText),
    birthDate: r.read('出生日期', o['出生日期'], date),
    sex: r.read('性别', o['性别'], byTable(SEX), { emptyAs: 'UNKNOWN' as const }),
    nationality,
    identifiers: suspectIdentifiers(o, nationality ?? undefined),
    absentIdentifiers: absentIdentifierGroups({
      // A passport is read with its nationality: without 国籍 it cannot be, and stays as stored.
      PASSPORT: o['护照号'] !== undefined && o['国籍'] !== undefined,
      NATIONAL_ID: o['身份证号'] !== undefined,
      PHONE: o['手机号'] !== undefined,
      MESSENGER: o['微信号'] !== undefined || o['Telegram'] !== undefined,
      NAME_DOB: o['姓名'] !== undefined && o['出生日期'] !== undefined,
    }),
    statusOn: r.read('状态日期', o['状态日期'], date),
    traffickingVictim: r.flag('是否被拐骗', o['是否被拐骗'], victim, false),
    denRef: r.read('所属窝点', o['所属窝点'], parseFreeText),
  };
  return r.finish(required, (values) => ({ kind: 'suspect', ...values, ...optional }));
}

/** 账户 or 钱包地址; both left out: absent; both null or empty: cleared. */
function fundAccount(r: FieldReader, o: JsonObject, currency: string | undefined): RawIdentifier | null | undefined {
  const bank = textOf(o['账户']) || undefined;
  const wallet = textOf(o['钱包地址']) || undefined;
  if (bank !== undefined && wallet !== undefined) r.report('钱包地址', 'UNSUPPORTED_IDENTIFIER', { severity: 'warning' });
  if (bank !== undefined) return { type: 'BANK_ACCOUNT', value: bank, country: 'CN', field: '账户' };
  if (wallet === undefined) return o['账户'] === undefined && o['钱包地址'] === undefined ? undefined : null;
  return { type: 'CRYPTO_WALLET', value: wallet, field: '钱包地址', ...(currency ? { ticker: currency } : {}) };
}

export function mapCnFund(o: JsonObject, context: MapContext): MapResult {
  const r = new FieldReader(context);
  const ref = r.ref('编号', o['编号']);
  const power = r.read('金额单位', o['金额单位'], byTable(UNIT)) ?? '0';
  const base = r.need('金额', o['金额'], amount);
  const currency = r.read('币种', o['币种'], parseCurrency) ?? 'CNY';
  // Re-read after scaling: 12 digits of 亿元 may no longer fit the amount column.
  const scaled = base === undefined ? undefined : r.need('金额', shiftDecimal(base, Number(power)), amount);
  const required = {
    ref,
    amount: scaled,
    channel: r.need('渠道', o['渠道'], byTable(CHANNEL)),
    action: r.need('处置', o['处置'], byTable(ACTION)),
  };
  const optional: Partial<MappedInterceptedFund> = {
    sharingLevel: sharingOf(r, o),
    ...codesOf(r, o),
    amountUsd: r.read('折合美元', o['折合美元'], amount),
    actionOn: r.read('处置日期', o['处置日期'], dateParser(r.today, DATE_SPELLINGS)),
    account: fundAccount(r, o, currency),
    victimCount: r.read('受害人数', o['受害人数'], count),
    denRef: r.read('所属窝点', o['所属窝点'], parseFreeText),
  };
  return r.finish(required, (values) => ({ kind: 'interceptedFund', currency, ...optional, ...values }));
}

import { describe, expect, it } from 'vitest';
import { issueKeys, issuesOf, readFixture, readSample, recordByRef, recordsOf, run } from '../test-support.ts';
import { cnMpsJsonAdapter } from './index.ts';

const fixture = async (name: string) => run(cnMpsJsonAdapter, await readFixture('cn-mps-json', name));
const file = (body: Record<string, unknown>) => JSON.stringify({ 行动代号: 'FIRST-LIGHT-2022', ...body });
const den = { 编号: 'WD-9', 国家: 'CN', 类型: '其他', 状态: '活跃' };
const fund = { 编号: 'ZJ-9', 金额: '1', 渠道: '现金', 处置: '返还' };
const suspect = { 编号: 'XYR-9', 角色: '未知', 状态: '在逃' };

describe('cn-mps-json adapter', () => {
  it('maps the shared sample with exact scaled amounts', async () => {
    const items = await run(cnMpsJsonAdapter, await readSample('cn-mps-json.json'));
    expect(issuesOf(items)).toEqual([]);
    expect(recordsOf(items)).toHaveLength(8);
    expect(recordByRef(items, 'interceptedFund', 'ZJ-0001')).toMatchObject({ amount: '125000', amountUsd: '17361.11', currency: 'CNY' });
    expect(recordByRef(items, 'interceptedFund', 'ZJ-0002')).toMatchObject({ amount: '885000', currency: 'USDT' });
    expect(recordByRef(items, 'interceptedFund', 'ZJ-0003')).toMatchObject({ amount: '3000', currency: 'CNY' });
    expect(recordByRef(items, 'scamDen', 'WD-0002')).toMatchObject({ sharingLevel: 'GREEN', raidedOn: '2022-08-25' });
  });

  it('maps every 窝点 field', async () => {
    expect(recordByRef(await fixture('valid.json'), 'scamDen', 'WD-1')).toEqual({
      kind: 'scamDen', ref: 'WD-1', sharingLevel: 'AMBER', country: 'KH', region: '西哈努克', lat: 10.63, lon: 103.52,
      denType: 'BRUSHING_TASK', status: 'DISMANTLED', raidedOn: '2022-06-10', devicesSeized: 120, firstSeenOn: '2021-11-01',
    });
  });

  it('maps every 嫌疑人 field and each identifier column', async () => {
    expect(recordByRef(await fixture('valid.json'), 'suspect', 'XYR-1')).toEqual({
      kind: 'suspect', ref: 'XYR-1', sharingLevel: 'GREEN', fullName: '测试PLANTED', birthDate: '1990-01-02', sex: 'M', nationality: 'CN',
      identifiers: [
        { type: 'PASSPORT', value: 'PLANTED02', country: 'CN', field: '护照号' },
        { type: 'NATIONAL_ID', value: 'PLANTED-ID', country: 'CN', field: '身份证号' },
        { type: 'PHONE', value: 'PLANTED-PHONE', country: 'CN', field: '手机号/0' },
        { type: 'PHONE', value: '13800138000', country: 'CN', field: '手机号/1' },
        { type: 'MESSENGER', value: 'wechat:planted_wx', field: '微信号' },
        { type: 'MESSENGER', value: 'telegram:@planted_tg', field: 'Telegram' },
      ],
      absentIdentifiers: ['EMAIL', 'BANK_ACCOUNT', 'CRYPTO_WALLET', 'DEVICE_IMEI'],
      role: 'CORE_MEMBER', status: 'ARRESTED', statusOn: '2022-06-10', traffickingVictim: false, denRef: 'WD-1',
    });
  });

  it('maps every 涉案资金 field: 万元 and 亿元 scale 金额 exactly, 折合美元 is not scaled', async () => {
    const items = await fixture('valid.json');
    expect(recordByRef(items, 'interceptedFund', 'ZJ-1')).toEqual({
      kind: 'interceptedFund', ref: 'ZJ-1', sharingLevel: 'AMBER', amount: '125000', currency: 'CNY', amountUsd: '17361.11',
      channel: 'SCORE_RUNNING', action: 'FROZEN', actionOn: '2022-06-12',
      account: { type: 'BANK_ACCOUNT', value: 'PLANTED 0000', country: 'CN', field: '账户' }, victimCount: 3, denRef: 'WD-1',
    });
    expect(recordByRef(items, 'interceptedFund', 'ZJ-2')).toMatchObject({
      amount: '123456789', amountUsd: '100', currency: 'USDT',
      account: { type: 'CRYPTO_WALLET', ticker: 'USDT', field: '钱包地址' },
    });
  });

  it('maps every value of the 类型, 状态, 角色, 渠道, 处置, 性别 and 共享级别 tables', async () => {
    const cases: [string, Record<string, unknown>, string, Record<string, unknown>][] = [
      ['窝点', den, '类型', { 话务窝点: 'CALL_CENTRE', 电话诈骗: 'CALL_CENTRE', 投资理财: 'INVESTMENT_ROMANCE', 杀猪盘: 'INVESTMENT_ROMANCE', 婚恋交友: 'INVESTMENT_ROMANCE', 刷单: 'BRUSHING_TASK', 刷单返利: 'BRUSHING_TASK', 套路贷: 'LOAN', 网络贷款: 'LOAN', 裸聊敲诈: 'SEXTORTION', 冒充公检法: 'IMPERSONATION', 冒充客服: 'IMPERSONATION', 跑分: 'MONEY_LAUNDERING', 洗钱: 'MONEY_LAUNDERING', 其他: 'OTHER' }],
      ['窝点', den, '状态', { 疑似: 'SUSPECTED', 活跃: 'ACTIVE', 已查处: 'RAIDED', 已捣毁: 'DISMANTLED' }],
      ['嫌疑人', suspect, '角色', { 头目: 'ORGANIZER', 骨干: 'CORE_MEMBER', 成员: 'MEMBER', 车手: 'MONEY_MULE', 取款人: 'MONEY_MULE', 招募人员: 'RECRUITER', 黑灰产: 'FACILITATOR', 引流: 'FACILITATOR', 技术支持: 'FACILITATOR', 未知: 'UNKNOWN' }],
      ['嫌疑人', suspect, '状态', { 在逃: 'WANTED', 抓获: 'ARRESTED', 投案自首: 'SURRENDERED', 起诉: 'CHARGED', 判决: 'CONVICTED', 释放: 'RELEASED', 遣返: 'REPATRIATED' }],
      ['嫌疑人', suspect, '性别', { 男: 'M', 女: 'F' }],
      ['涉案资金', fund, '渠道', { 银行转账: 'BANK_TRANSFER', 三方支付: 'THIRD_PARTY_PAYMENT', 四方支付: 'THIRD_PARTY_PAYMENT', 跑分平台: 'SCORE_RUNNING', 虚拟货币: 'CRYPTO', 现金: 'CASH', 贸易对冲: 'TRADE_HEDGING', 其他: 'OTHER' }],
      ['涉案资金', fund, '处置', { 止付: 'STOP_PAYMENT', 紧急止付: 'STOP_PAYMENT', 冻结: 'FROZEN', 扣押: 'SEIZED', 返还: 'RETURNED' }],
      ['窝点', den, '共享级别', { 公开: 'CLEAR', 绿色: 'GREEN', 琥珀: 'AMBER', 红色: 'RED', green: 'GREEN', Red: 'RED' }],
    ];
    const sharedField: Record<string, string> = { 类型: 'denType', 状态: 'status', 角色: 'role', 性别: 'sex', 渠道: 'channel', 处置: 'action', 共享级别: 'sharingLevel' };
    for (const [array, base, field, table] of cases) {
      const rows = Object.keys(table).map((value, i) => ({ ...base, 编号: `R-${i}`, [field]: value }));
      const records = recordsOf(await run(cnMpsJsonAdapter, file({ [array]: rows })));
      expect(records.map((r) => (r as unknown as Record<string, unknown>)[sharedField[field] ?? ''])).toEqual(Object.values(table));
    }
  });

  it('applies the file 共享级别 to records that name none', async () => {
    const items = await run(cnMpsJsonAdapter, file({ 共享级别: '红色', 窝点: [den] }));
    expect(recordsOf(items)[0]).toMatchObject({ sharingLevel: 'RED' });
  });

  it('ends the stream when 共享级别 comes after records or is not in the table', async () => {
    expect(issueKeys(await fixture('late-sharing-level.json'))).toEqual(['MALFORMED_FILE@共享级别']);
    expect(issueKeys(await run(cnMpsJsonAdapter, file({ 共享级别: '紫色', 窝点: [den] })))).toEqual(['UNKNOWN_VALUE@共享级别']);
  });

  it('rejects an unknown value naming the Chinese field and path', async () => {
    expect(issuesOf(await fixture('unknown-value.json'))).toEqual([
      {
        kind: 'issue', code: 'UNKNOWN_VALUE', severity: 'error', field: '类型', path: '/窝点/0/类型', ref: 'WD-1',
        allowed: ['话务窝点', '电话诈骗', '投资理财', '杀猪盘', '婚恋交友', '刷单', '刷单返利', '套路贷', '网络贷款', '裸聊敲诈', '冒充公检法', '冒充客服', '跑分', '洗钱', '其他'],
      },
    ]);
  });

  it('rejects a birth date in the future and a month 13', async () => {
    expect(issuesOf(await fixture('future-date.json'))).toMatchObject([{ code: 'FUTURE_DATE', field: '出生日期', path: '/嫌疑人/0/出生日期' }]);
    expect(issueKeys(await fixture('invalid-date.json'))).toEqual(['INVALID_DATE@状态日期']);
  });

  it('rejects a malformed amount, an unknown unit and an amount that no longer fits once scaled', async () => {
    expect(issueKeys(await fixture('malformed-number.json'))).toEqual(['MALFORMED_NUMBER@金额']);
    expect(issueKeys(await run(cnMpsJsonAdapter, file({ 涉案资金: [{ ...fund, 金额单位: '千元' }] })))).toEqual(['UNKNOWN_VALUE@金额单位']);
    expect(issueKeys(await run(cnMpsJsonAdapter, file({ 涉案资金: [{ ...fund, 金额: '1'.repeat(15), 金额单位: '亿元' }] })))).toEqual([
      'OUT_OF_RANGE@金额',
    ]);
  });

  it('rejects an unknown currency', async () => {
    expect(issueKeys(await run(cnMpsJsonAdapter, file({ 涉案资金: [{ ...fund, 币种: 'RMB' }] })))).toEqual(['UNKNOWN_CURRENCY@币种']);
  });

  it('rejects a file that names another operation', async () => {
    expect(issueKeys(await fixture('operation-mismatch.json'))).toEqual(['OPERATION_MISMATCH@行动代号']);
  });

  it('rejects a duplicate 编号 within one array', async () => {
    const items = await fixture('duplicate-ref.json');
    expect(recordsOf(items)).toHaveLength(1);
    expect(issuesOf(items)).toMatchObject([{ code: 'DUPLICATE_REF', field: '编号', path: '/窝点/1/编号' }]);
  });

  it('accepts 手机号 as one string and defaults 币种 to CNY', async () => {
    const items = await run(cnMpsJsonAdapter, file({ 嫌疑人: [{ ...suspect, 手机号: '13800138000' }], 涉案资金: [fund] }));
    expect(recordByRef(items, 'suspect', 'XYR-9').identifiers).toEqual([{ type: 'PHONE', value: '13800138000', country: 'CN', field: '手机号' }]);
    expect(recordByRef(items, 'interceptedFund', 'ZJ-9').currency).toBe('CNY');
  });
});

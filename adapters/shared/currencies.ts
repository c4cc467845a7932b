// Currencies: the active ISO 4217 codes plus the crypto tickers the gateway takes (USDT, BTC,
// ETH). Codes are matched case-insensitively after trimming; anything else is
// UNKNOWN_CURRENCY. What does not live here: conversion to USD (the pipeline's rates table).
import { cleanText } from './text.ts';
import { fail, ok, type Result } from './issues.ts';

// ISO 4217 active codes (list one), including the fund and precious-metal codes.
const ISO_4217 = `AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP
BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL
GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT
LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR
PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB
TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD
XCD XCG XDR XOF XPD XPF XPT XSU XUA YER ZAR ZMW ZWG`
  .split(/\s+/)
  .filter(Boolean);

export const CRYPTO_TICKERS = ['USDT', 'BTC', 'ETH'] as const;

export const CURRENCY_CODES: ReadonlySet<string> = new Set([...ISO_4217, ...CRYPTO_TICKERS]);

export const isCryptoTicker = (code: string): boolean => (CRYPTO_TICKERS as readonly string[]).includes(code);

export function parseCurrency(raw: string): Result<string, 'UNKNOWN_CURRENCY'> {
  const code = cleanText(raw).toUpperCase();
  return CURRENCY_CODES.has(code) ? ok(code) : fail('UNKNOWN_CURRENCY');
}

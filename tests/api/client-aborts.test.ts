// A client that closes its connection before its request was read (an abandoned upload, a
// timed-out caller) is the client's doing: the gateway logs it at info, without the error, and
// counts it as a client error, never as INTERNAL (LOG-17 in docs/security-tests.md). Before,
// each one was an error-level "unexpected error" line and a 500 in the metrics.
import { describe, expect, it } from 'vitest';
import { sendProblem } from '../../api/error-response.ts';

/** Node's error for a request body cut off by the client (node:_http_server abortIncoming). */
function abortedError(): Error {
  return Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
}

describe('a client that goes away', () => {
  it('LOG-17 is logged at info, not as an unexpected error, and answered as a client error', () => {
    const logged: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
    const at = (level: string) => (fields: Record<string, unknown>, msg: string) => logged.push({ level, msg, fields });
    const logger = { error: at('error'), warn: at('warn'), info: at('info') };
    const sent: { status?: number; body?: { code: string; reason?: string } } = {};
    const reply = {
      status(s: number) {
        sent.status = s;
        return reply;
      },
      headers() {
        return reply;
      },
      type() {
        return reply;
      },
      send(body: unknown) {
        sent.body = body as never;
        return reply;
      },
    };
    sendProblem(abortedError(), { url: '/v1/submissions', id: 'req-1', log: logger as never }, reply);
    expect(logged.map((l) => [l.level, l.msg])).toEqual([['info', 'client went away before its request was read']]);
    expect(logged[0]!.fields).toEqual({ requestId: 'req-1' });
    expect([sent.status, sent.body?.code, sent.body?.reason]).toEqual([400, 'BAD_USER_INPUT', 'client_aborted']);

    // Any other error without a code of its own is still the gateway's: logged as an error, answered INTERNAL.
    logged.length = 0;
    sendProblem(Object.assign(new Error('aborted'), { code: 'EPIPE' }), { url: '/v1/submissions', id: 'req-2', log: logger as never }, reply);
    expect(logged.map((l) => [l.level, l.msg])).toEqual([['error', 'unexpected error']]);
    expect([sent.status, sent.body?.code]).toEqual([500, 'INTERNAL']);
  });
});

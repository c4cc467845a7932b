// The issues of a report: where (line or path), field, code, severity, record and a sentence
// saying what to do; filtered by severity, code and text, and downloadable as CSV (built in
// the page, from the issues as the gateway reported them: no record data is in them).
import { useId, useMemo, useState } from 'react';
import type { ReportIssue } from '../gateway.ts';
import { isMessageKey, useT, type Translate } from '../i18n.tsx';

export const issueWhere = (issue: ReportIssue) =>
  issue.line !== undefined ? `${issue.line}${issue.column !== undefined ? `:${issue.column}` : ''}` : (issue.path ?? '');

export function issueSentence(t: Translate, issue: ReportIssue): string {
  const key = `issue.${issue.code}`;
  if (!isMessageKey(key)) return t('issue.other');
  return t(key, {
    allowed: issue.allowed?.join(', ') ?? '',
    expected: issue.expected ?? '',
    found: issue.found ?? '',
    limit: issue.limit ?? '',
  });
}

const csvCell = (value: string) => (/[",\n\r;]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

export function issuesCsv(t: Translate, issues: readonly ReportIssue[]): string {
  const header = ['line', 'path', 'field', 'code', 'severity', 'ref', 'message'];
  const rows = issues.map((i) =>
    [i.line === undefined ? '' : String(i.line), i.path ?? '', i.field, i.code, i.severity, i.ref ?? '', issueSentence(t, i)].map(csvCell).join(','),
  );
  return `${[header.join(','), ...rows].join('\r\n')}\r\n`;
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function IssuesTable({ issues, fileName }: { issues: readonly ReportIssue[]; fileName: string }) {
  const t = useT();
  const ids = { severity: useId(), code: useId(), text: useId() };
  const [severity, setSeverity] = useState('');
  const [code, setCode] = useState('');
  const [text, setText] = useState('');
  const codes = useMemo(() => [...new Set(issues.map((i) => i.code))].sort(), [issues]);
  const shown = issues.filter(
    (i) =>
      (!severity || i.severity === severity) &&
      (!code || i.code === code) &&
      (!text || `${i.field} ${i.ref ?? ''}`.toLowerCase().includes(text.toLowerCase())),
  );
  if (issues.length === 0) return <p className="note ok">{t('issues.none')}</p>;
  return (
    <section className="issues" aria-labelledby="issues-heading">
      <h3 id="issues-heading">{t('issues.heading', { shown: shown.length, total: issues.length })}</h3>
      <div className="filters">
        <label htmlFor={ids.severity}>{t('issues.filterSeverity')}</label>
        <select id={ids.severity} value={severity} onChange={(e) => setSeverity(e.target.value)}>
          <option value="">{t('issues.all')}</option>
          <option value="error">error</option>
          <option value="warning">warning</option>
        </select>
        <label htmlFor={ids.code}>{t('issues.filterCode')}</label>
        <select id={ids.code} value={code} onChange={(e) => setCode(e.target.value)}>
          <option value="">{t('issues.all')}</option>
          {codes.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
        <label htmlFor={ids.text}>{t('issues.filterText')}</label>
        <input id={ids.text} value={text} onChange={(e) => setText(e.target.value)} />
        <button type="button" onClick={() => download(`${fileName}.issues.csv`, issuesCsv(t, shown))}>
          {t('issues.download')}
        </button>
      </div>
      <div className="scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('issues.where')}</th>
              <th scope="col">{t('issues.field')}</th>
              <th scope="col">{t('issues.code')}</th>
              <th scope="col">{t('issues.severity')}</th>
              <th scope="col">{t('issues.ref')}</th>
              <th scope="col">{t('issues.sentence')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((issue, index) => (
              <tr key={index} className={issue.severity}>
                <td>{issueWhere(issue)}</td>
                <td>{issue.field}</td>
                <td>
                  <code>{issue.code}</code>
                </td>
                <td>{issue.severity}</td>
                <td>{issue.ref ?? ''}</td>
                <td>{issueSentence(t, issue)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

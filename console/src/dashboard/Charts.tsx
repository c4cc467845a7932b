// The dashboard's charts (Chart.js, on canvas; loaded only when the dashboard opens): dens and
// arrests by country, raids and arrests by month, funds by currency and action. Each canvas has
// a label naming its figures and a `data-marks` attribute with the number of bars drawn, and
// each chart's figures are also in a table for screen readers and for copying.
import { useEffect, useMemo, useRef } from 'react';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip, type ChartConfiguration } from 'chart.js';
import { useT } from '../i18n.tsx';
import type { MessageKey } from '../messages.ts';
import { arrestsByCountry, byMonth, densByCountry, fundsByCurrencyAndAction, type Facts } from './facts.ts';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

const PALETTE = ['#1f5fa8', '#c2572b', '#2e8540', '#7b4fa0', '#a07b1f', '#3c8d9b'];

type Series = { label: string; values: number[] };

function BarChart({ title, labels, series, stacked = false }: { title: MessageKey; labels: string[]; series: Series[]; stacked?: boolean }) {
  const t = useT();
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const config: ChartConfiguration<'bar'> = {
      type: 'bar',
      data: {
        labels,
        datasets: series.map((s, i) => ({ label: s.label, data: s.values, backgroundColor: PALETTE[i % PALETTE.length] })),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: series.length > 1 } },
        scales: { x: { stacked }, y: { stacked, beginAtZero: true, ticks: { precision: 0 } } },
      },
    };
    const chart = new Chart(canvas.current, config);
    const marks = chart.data.datasets.reduce((sum, _d, i) => sum + chart.getDatasetMeta(i).data.filter((_bar, j) => Number(series[i]?.values[j]) > 0).length, 0);
    canvas.current.dataset.marks = String(marks);
    return () => chart.destroy();
  }, [labels, series, stacked]);
  const summary = labels.map((label, j) => `${label}: ${series.map((s) => s.values[j]).join(' / ')}`).join('; ');
  return (
    <figure className="chart">
      <figcaption>{t(title)}</figcaption>
      {labels.length === 0 ? (
        <p>{t('charts.empty')}</p>
      ) : (
        <>
          <div className="canvas-box">
            <canvas ref={canvas} role="img" aria-label={`${t(title)}: ${summary}`} />
          </div>
          <details>
            <summary>{t(title)}</summary>
            <table>
              <thead>
                <tr>
                  <th scope="col" />
                  {series.map((s) => (
                    <th key={s.label} scope="col">
                      {s.label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {labels.map((label, j) => (
                  <tr key={label}>
                    <th scope="row">{label}</th>
                    {series.map((s) => (
                      <td key={s.label}>{s.values[j]}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      )}
    </figure>
  );
}

export default function Charts({ facts }: { facts: Facts }) {
  const t = useT();
  const { dens, arrests, months, funds } = useMemo(
    () => ({ dens: densByCountry(facts), arrests: arrestsByCountry(facts), months: byMonth(facts), funds: fundsByCurrencyAndAction(facts) }),
    [facts],
  );
  const series = useMemo(
    () => ({
      dens: [{ label: t('charts.dens'), values: [...dens.values()] }],
      arrests: [{ label: t('charts.arrests'), values: [...arrests.values()] }],
      months: [
        { label: t('charts.dens'), values: months.raids },
        { label: t('charts.arrests'), values: months.arrests },
      ],
      funds: funds.actions.map((a) => ({ label: a.action, values: a.usd })),
      denLabels: [...dens.keys()],
      arrestLabels: [...arrests.keys()],
    }),
    [dens, arrests, months, funds, t],
  );
  return (
    <div className="charts">
      <BarChart title="charts.densByCountry" labels={series.denLabels} series={series.dens} />
      <BarChart title="charts.arrestsByCountry" labels={series.arrestLabels} series={series.arrests} />
      <BarChart title="charts.byMonth" labels={months.months} series={series.months} />
      <BarChart title="charts.fundsByCurrency" labels={funds.currencies} series={series.funds} stacked />
    </div>
  );
}

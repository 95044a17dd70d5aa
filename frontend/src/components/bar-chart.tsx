// A bar chart of one daily series, with dates along the bottom, values up the
// side and an optional limit line: enough for usage, without a charting
// library's weight in the bundle. The same numbers are in a table beside it,
// for screen readers and for anyone who wants them exact.
import { type ReactNode, useLayoutEffect, useRef, useState } from 'react';
import { formatCompact, formatCount, formatDay, formatDayLong, formatNumber } from '@/lib/format';
import { capitalize } from '@/lib/labels';

export interface BarChartProps {
  title: string;
  /** One bar per UTC day (`YYYY-MM-DD`), oldest first. */
  days: { date: string; value: number }[];
  /** What is counted, singular and plural. */
  unit: [string, string];
  /** A daily limit, drawn as a dashed line across the bars. */
  limit?: { value: number; label: string };
  /** Context under the chart, such as a limit that is not per day. */
  children?: ReactNode;
}

const HEIGHT = 200;
// Room on the right for half the newest date's label, which is centred under its bar.
const MARGIN = { top: 16, right: 24, bottom: 26, left: 48 };
/** Room one date label needs, so they never overlap however narrow the chart. */
const LABEL_WIDTH = 56;

/** Steps of 1, 2 or 5 times a power of ten, about four to the top, and whole numbers since these are counts. */
function scale(max: number): { top: number; ticks: number[] } {
  const rough = Math.max(max / 4, 1);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? rough;
  const top = Math.max(step, Math.ceil(max / step) * step);
  const ticks: number[] = [];
  for (let tick = 0; tick <= top; tick += step) ticks.push(tick);
  return { top, ticks };
}

/** The chart's width in CSS pixels, so text in the SVG is drawn at its real size on a phone and a desktop alike. */
function useWidth(fallback: number) {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(fallback);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    if (element.clientWidth > 0) setWidth(element.clientWidth);
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(([entry]) => {
      if (entry && entry.contentRect.width > 0) setWidth(Math.round(entry.contentRect.width));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width] as const;
}

export function BarChart({ title, days, unit, limit, children }: BarChartProps) {
  const [box, width] = useWidth(600);
  const count = (n: number) => formatCount(n, ...unit);
  const total = days.reduce((sum, d) => sum + d.value, 0);
  const busiest = days.reduce<(typeof days)[number] | undefined>(
    (best, d) => (d.value > (best?.value ?? 0) ? d : best),
    undefined,
  );
  const drawnLimit = limit && limit.value > 0 ? limit : undefined;
  const { top, ticks } = scale(Math.max(1, ...days.map((d) => d.value), drawnLimit?.value ?? 0));

  const plotWidth = Math.max(width - MARGIN.left - MARGIN.right, 1);
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const slot = plotWidth / Math.max(days.length, 1);
  const y = (value: number) => MARGIN.top + plotHeight - (value / top) * plotHeight;
  // Every nth date, counted back from the newest so today always has its label.
  const every = Math.max(1, Math.ceil(days.length / Math.max(Math.floor(plotWidth / LABEL_WIDTH), 1)));

  const first = days[0];
  const last = days.at(-1);
  const summary = [
    `${title}${first && last ? `, ${formatDay(first.date)} to ${formatDay(last.date)}` : ''}: `,
    `${count(total)} in total`,
    busiest ? `, the most on ${formatDay(busiest.date)} (${formatNumber(busiest.value)})` : '',
    drawnLimit ? `. ${drawnLimit.label}: ${count(drawnLimit.value)}` : '',
    '.',
  ].join('');

  return (
    <figure className="chart">
      <figcaption>
        {title} <span className="muted">({`${count(total)} in ${formatCount(days.length, 'day')}`})</span>
      </figcaption>
      <div ref={box} className="chart-plot">
        <svg width={width} height={HEIGHT} viewBox={`0 0 ${width} ${HEIGHT}`} role="img" aria-label={summary}>
          {ticks.map((tick) => (
            <g key={tick} className="tick">
              <line x1={MARGIN.left} x2={width - MARGIN.right} y1={y(tick)} y2={y(tick)} className="grid-line" />
              <text x={MARGIN.left - 6} y={y(tick)} dy="0.32em" textAnchor="end">
                {formatCompact(tick)}
              </text>
            </g>
          ))}
          {days.map((d, i) => {
            // A day with any use shows at least a sliver, so it is not mistaken for none.
            const h = d.value > 0 ? Math.max((d.value / top) * plotHeight, 2) : 0;
            return (
              <rect
                key={d.date}
                x={MARGIN.left + i * slot + 1}
                y={MARGIN.top + plotHeight - h}
                width={Math.max(slot - 2, 1)}
                height={h}
                className="bar"
              >
                <title>{`${formatDay(d.date)}: ${count(d.value)}`}</title>
              </rect>
            );
          })}
          <line
            x1={MARGIN.left}
            x2={width - MARGIN.right}
            y1={MARGIN.top + plotHeight}
            y2={MARGIN.top + plotHeight}
            className="axis"
          />
          {days.map((d, i) =>
            (days.length - 1 - i) % every === 0 ? (
              <text key={d.date} className="tick" x={MARGIN.left + (i + 0.5) * slot} y={HEIGHT - 8} textAnchor="middle">
                {formatDay(d.date)}
              </text>
            ) : null,
          )}
          {drawnLimit && (
            <g className="limit">
              <line
                x1={MARGIN.left}
                x2={width - MARGIN.right}
                y1={y(drawnLimit.value)}
                y2={y(drawnLimit.value)}
                className="limit-line"
              >
                <title>{`${drawnLimit.label}: ${count(drawnLimit.value)}`}</title>
              </line>
              <text x={width - MARGIN.right} y={y(drawnLimit.value) - 4} textAnchor="end" className="limit-label">
                {`${drawnLimit.label}: ${formatNumber(drawnLimit.value)}`}
              </text>
            </g>
          )}
        </svg>
      </div>
      {children}
      <details className="chart-table">
        <summary>
          Show the values <span className="sr-only">of {title.toLowerCase()}</span> as a table
        </summary>
        <table>
          <caption>{title}</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">{capitalize(unit[1])}</th>
            </tr>
          </thead>
          <tbody>
            {days.map((d) => (
              <tr key={d.date}>
                <th scope="row">
                  <time dateTime={d.date}>{formatDayLong(d.date)}</time>
                </th>
                <td>{formatNumber(d.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

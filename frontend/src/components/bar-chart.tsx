// A bar chart of one daily series with an optional limit line: enough for
// usage, without a charting library's weight in the bundle.
export interface BarChartProps {
  title: string;
  points: { label: string; value: number }[];
  /** Drawn as a dashed line when it fits the scale of a day. */
  limit?: number;
  unit: string;
}

export function BarChart({ title, points, limit, unit }: BarChartProps) {
  const width = 600;
  const height = 160;
  const max = Math.max(1, ...points.map((p) => p.value), limit ?? 0);
  const barWidth = width / Math.max(points.length, 1);
  const total = points.reduce((sum, p) => sum + p.value, 0);
  return (
    <figure className="chart">
      <figcaption>
        {title}{' '}
        <span className="muted">
          ({total.toLocaleString()} {unit} in {points.length} days)
        </span>
      </figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`${title}: ${total} ${unit} over ${points.length} days`}
        preserveAspectRatio="none"
      >
        {points.map((p, i) => {
          const h = (p.value / max) * (height - 10);
          return (
            <rect
              key={p.label}
              x={i * barWidth + 1}
              y={height - h}
              width={Math.max(barWidth - 2, 1)}
              height={h}
              className="bar"
            >
              <title>{`${p.label}: ${p.value.toLocaleString()} ${unit}`}</title>
            </rect>
          );
        })}
        {limit !== undefined && limit > 0 && (
          <line
            x1={0}
            x2={width}
            y1={height - (limit / max) * (height - 10)}
            y2={height - (limit / max) * (height - 10)}
            className="limit-line"
          >
            <title>{`limit ${limit.toLocaleString()}`}</title>
          </line>
        )}
      </svg>
    </figure>
  );
}

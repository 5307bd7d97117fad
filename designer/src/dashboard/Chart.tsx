// A uPlot chart sized to its box. uPlot draws on canvas (cheap for hundreds of points) and owns its DOM node, so
// React only gives it a container and re-creates it when the data or options change.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Columns } from './series.ts';

export interface ChartSeries {
  label: string;
  color: string;
  bars?: boolean;
  /** Drawn against an axis of its own on the right: a count beside a sum a hundred times larger lay flat on zero. */
  rightAxis?: boolean;
}

interface Props {
  title: string;
  data: Columns;
  series: ChartSeries[];
  height?: number;
  /** x axis values: hours or months. */
  time?: 'hour' | 'month';
  testId?: string;
}

const AXIS_FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
let measurer: CanvasRenderingContext2D | null = null;

const upToMax = (_u: uPlot, _min: number, max: number): uPlot.Range.MinMax => [0, Math.max(1, Math.ceil(max * 1.15))];

/** A y axis as wide as its longest label plus tick and gap: a fixed 40 px cut "1,500" to ".500". */
export function fitLabels(_u: uPlot, values: string[] | null): number {
  if (!values?.length) return 40;
  measurer ??= document.createElement('canvas').getContext('2d');
  const ctx = measurer;
  if (!ctx) return 40;
  ctx.font = AXIS_FONT;
  return Math.max(40, Math.ceil(Math.max(...values.map((v) => ctx.measureText(v).width))) + 18);
}

export function Chart({ title, data, series, height = 200, time = 'hour', testId }: Props) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const bars = uPlot.paths.bars!({ size: [0.7, 40] });
    const opts: uPlot.Options = {
      width: Math.max(240, el.clientWidth),
      height,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      // Month bars get half a month either side, so the axis spans exactly the months shown.
      scales: {
        x: time === 'month' ? { time: true, range: (_u, min, max) => [min - 16 * 86_400, max + 16 * 86_400] } : { time: true },
        y: { range: upToMax },
        right: { range: upToMax },
      },
      axes: [
        { font: AXIS_FONT, values: time === 'month' ? '{YYYY}-{MM}' : undefined, stroke: '#6b7785', grid: { stroke: '#eef0f3' } },
        { font: AXIS_FONT, stroke: '#6b7785', grid: { stroke: '#eef0f3' }, size: fitLabels },
        ...(series.some((s) => s.rightAxis)
          ? [{ scale: 'right', side: 1, font: AXIS_FONT, stroke: series.find((s) => s.rightAxis)?.color, grid: { show: false }, size: fitLabels }]
          : []),
      ],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          scale: s.rightAxis ? 'right' : 'y',
          stroke: s.color,
          fill: s.bars ? s.color : `${s.color}22`,
          width: s.bars ? 0 : 2,
          paths: s.bars ? bars : undefined,
          // Lines mark their points only where there is room (uPlot's default): a lone drift check is a dot, not nothing.
          points: s.bars ? { show: false } : {},
        })),
      ],
    };
    const plot = new uPlot(opts, data as uPlot.AlignedData, el);
    const ro = new ResizeObserver(() => plot.setSize({ width: Math.max(240, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [data, series, height, time]);
  const empty = data[0].length === 0;
  return (
    <div className="card chart" data-testid={testId}>
      <h3>{title}</h3>
      {empty ? <p className="muted">No data in this period yet.</p> : <div ref={box} className="chart-box" />}
    </div>
  );
}

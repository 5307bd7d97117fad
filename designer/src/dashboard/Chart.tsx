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
        y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.15))] },
      },
      axes: [
        { values: time === 'month' ? '{YYYY}-{MM}' : undefined, stroke: '#6b7785', grid: { stroke: '#eef0f3' } },
        { stroke: '#6b7785', grid: { stroke: '#eef0f3' }, size: 40 },
      ],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          fill: s.bars ? s.color : `${s.color}22`,
          width: s.bars ? 0 : 2,
          paths: s.bars ? bars : undefined,
          points: { show: false },
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

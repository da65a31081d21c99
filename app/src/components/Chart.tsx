// SPDX-License-Identifier: MIT
/** A line or bar chart on uPlot (~20 kB gzipped): loss curves, stake distribution, earnings over time. */
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface Series {
  label: string;
  values: (number | null)[];
  color: string;
}

export function Chart(props: { title: string; x: number[]; series: Series[]; xLabel: string; yLabel: string; bars?: boolean; xTime?: boolean; height?: number }) {
  const el = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const { x, series, bars } = props;
  useEffect(() => {
    if (!el.current) return;
    const width = el.current.clientWidth || 600;
    const opts: uPlot.Options = {
      width,
      height: props.height ?? 240,
      // Bars sit on whole-number categories (operators, epochs) with half a step of room on each side.
      scales: { x: { time: props.xTime ?? false, ...(bars ? { range: (_u: uPlot, min: number, max: number): uPlot.Range.MinMax => [min - 0.5, max + 0.5] } : {}) } },
      axes: [{ label: props.xLabel, ...(props.xTime ? {} : { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] }) }, { label: props.yLabel }],
      series: [
        {},
        ...series.map((s, i) => ({
          label: s.label,
          stroke: s.color,
          fill: bars ? s.color : undefined,
          width: bars ? 0 : 2,
          // Several bar series side by side: the first left of the tick, the next right of it.
          ...(bars ? { paths: uPlot.paths.bars!({ size: [series.length > 1 ? 0.35 : 0.6, 60], align: series.length > 1 ? (i === 0 ? -1 : 1) : 0 }), points: { show: false } } : {}),
          spanGaps: true,
        })),
      ],
    };
    plot.current?.destroy();
    plot.current = new uPlot(opts, [x, ...series.map((s) => s.values)] as uPlot.AlignedData, el.current);
    return () => {
      plot.current?.destroy();
      plot.current = null;
    };
  }, [x, series, bars, props.xLabel, props.yLabel, props.height, props.xTime]);
  const summary = series.map((s) => `${s.label}: ${s.values.filter((v) => v !== null).length} points`).join(", ");
  return (
    <figure className="chart">
      <figcaption>{props.title}</figcaption>
      <div ref={el} role="img" aria-label={`${props.title}. ${summary}`} />
    </figure>
  );
}

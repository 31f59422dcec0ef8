import { createRequire } from "node:module";
import { Resvg } from "@resvg/resvg-js";
import { renderToStaticMarkup } from "preact-render-to-string";
import type { ChartWeek, WeeklyChart } from "../model/message.js";

/**
 * The digest's chart (docs/contract.md §4): cases opened and closed per week as bars, the
 * median time to acknowledge as a line on its own scale. One SVG, drawn by preact (every
 * label is escaped by the renderer), shown inline on the board and turned into the PNG the
 * platforms attach by resvg, with a font shipped in node_modules so it needs no system font.
 */

const W = 720;
const H = 340;
const PAD = { left: 48, right: 64, top: 56, bottom: 48 };
const COLORS = { opened: "#2f6fb5", closed: "#9aa5b1", ack: "#d9822b", grid: "#e3e7eb", text: "#1f2933", muted: "#52606d" };
const FONT = "DejaVu Sans, Verdana, sans-serif";

/** A round step for an axis that must reach `max` in about `ticks` steps. */
function niceStep(max: number, ticks: number): number {
  if (max <= 0) return 1;
  const raw = max / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  return Math.max(1, step);
}

/** Steps for a scale of durations that read well: 5m … 12h, 1d, 2d, 1w. */
const MINUTE_STEPS = [5, 10, 15, 30, 60, 120, 240, 360, 720, 1440, 2880, 10080];

export function formatMinutes(minutes: number): string {
  if (minutes < 60) return `${Math.round(minutes)}m`;
  if (minutes < 48 * 60) return `${Math.round((minutes / 60) * 10) / 10}h`;
  return `${Math.round((minutes / 1440) * 10) / 10}d`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const weekLabel = (w: ChartWeek) => `${MONTHS[Number(w.start.slice(5, 7)) - 1] ?? "?"} ${Number(w.start.slice(8, 10))}`;

export function Chart({ chart, id = "chart" }: { chart: WeeklyChart; id?: string }) {
  const weeks = chart.weeks;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const countMax = Math.max(1, ...weeks.map((w) => Math.max(w.opened, w.closed)));
  const countStep = niceStep(countMax, 4);
  const countTop = Math.ceil(countMax / countStep) * countStep;
  const acks = weeks.map((w) => w.ackMedianMinutes).filter((m): m is number => m !== null);
  const ackMax = Math.max(1, ...acks);
  const ackStep = MINUTE_STEPS.find((m) => m * 4 >= ackMax) ?? niceStep(ackMax, 4);
  const ackTop = Math.ceil(ackMax / ackStep) * ackStep;
  const slot = plotW / Math.max(1, weeks.length);
  const barW = Math.min(24, slot / 3);
  const y = (v: number) => PAD.top + plotH - (v / countTop) * plotH;
  const yAck = (v: number) => PAD.top + plotH - (v / ackTop) * plotH;
  const x = (i: number) => PAD.left + slot * i + slot / 2;
  const ticks = Array.from({ length: Math.round(countTop / countStep) + 1 }, (_, i) => i * countStep);
  const ackTicks = Array.from({ length: Math.round(ackTop / ackStep) + 1 }, (_, i) => i * ackStep);
  const points = weeks.flatMap((w, i) => (w.ackMedianMinutes === null ? [] : [[x(i), yAck(w.ackMedianMinutes)] as const]));
  const titleId = `${id}-title`;
  return (
    <svg xmlns="http://www.w3.org/2000/svg" width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={titleId} font-family={FONT}>
      <title id={titleId}>{chart.title}</title>
      <rect x="0" y="0" width={W} height={H} fill="#ffffff" />
      <text x={PAD.left} y="22" font-size="15" font-weight="bold" fill={COLORS.text}>
        {chart.title}
      </text>
      <g font-size="11" fill={COLORS.muted}>
        <rect x={PAD.left} y="32" width="10" height="10" fill={COLORS.opened} />
        <text x={PAD.left + 14} y="41">opened</text>
        <rect x={PAD.left + 70} y="32" width="10" height="10" fill={COLORS.closed} />
        <text x={PAD.left + 84} y="41">closed</text>
        <line x1={PAD.left + 136} y1="37" x2={PAD.left + 152} y2="37" stroke={COLORS.ack} stroke-width="2" />
        <text x={PAD.left + 156} y="41">median time to acknowledge (right scale)</text>
      </g>
      <g font-size="10" fill={COLORS.muted}>
        {ticks.map((t) => (
          <g key={`c${t}`}>
            <line x1={PAD.left} y1={y(t)} x2={W - PAD.right} y2={y(t)} stroke={COLORS.grid} stroke-width="1" />
            <text x={PAD.left - 6} y={y(t) + 3} text-anchor="end">
              {t}
            </text>
          </g>
        ))}
        {ackTicks.map((t) => (
          <text key={`a${t}`} x={W - PAD.right + 6} y={yAck(t) + 3} fill={COLORS.ack}>
            {formatMinutes(t)}
          </text>
        ))}
      </g>
      {weeks.map((w, i) => (
        <g key={w.start}>
          <rect x={x(i) - barW - 1} y={y(w.opened)} width={barW} height={PAD.top + plotH - y(w.opened)} fill={COLORS.opened}>
            <title>{`week of ${w.start}: ${w.opened} opened`}</title>
          </rect>
          <rect x={x(i) + 1} y={y(w.closed)} width={barW} height={PAD.top + plotH - y(w.closed)} fill={COLORS.closed}>
            <title>{`week of ${w.start}: ${w.closed} closed`}</title>
          </rect>
          <text x={x(i)} y={H - PAD.bottom + 16} font-size="10" text-anchor="middle" fill={COLORS.muted}>
            {weekLabel(w)}
          </text>
        </g>
      ))}
      {points.length > 1 && <polyline points={points.map(([px, py]) => `${px},${py}`).join(" ")} fill="none" stroke={COLORS.ack} stroke-width="2" />}
      {points.map(([px, py]) => (
        <circle key={`p${px}`} cx={px} cy={py} r="3.5" fill={COLORS.ack} />
      ))}
      <text x={PAD.left} y={H - 10} font-size="10" fill={COLORS.muted}>
        {`Weeks starting (UTC). ${acks.length === 0 ? "No acknowledgements in these weeks." : ""}`}
      </text>
    </svg>
  );
}

export function chartSvg(chart: WeeklyChart): string {
  return renderToStaticMarkup(<Chart chart={chart} />);
}

let font: string | undefined;
function fontFile(): string {
  font ??= createRequire(import.meta.url).resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf");
  return font;
}

/** The chart as a PNG (twice the SVG's size, for sharp text on high-density screens). */
export function chartPng(chart: WeeklyChart): Buffer {
  const resvg = new Resvg(chartSvg(chart), {
    fitTo: { mode: "zoom", value: 2 },
    background: "#ffffff",
    font: { loadSystemFonts: false, fontFiles: [fontFile()], defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" },
  });
  return resvg.render().asPng();
}

/** The PNG's file name for a chart. */
export const chartFilename = (chart: WeeklyChart) => `${chart.name}.png`;

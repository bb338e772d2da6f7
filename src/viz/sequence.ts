// Message sequence chart as a vega-lite layer spec: one vertical lane per party, virtual
// time flowing down, one arrow per message. Geometry (arrowhead and label angles) is
// computed here in pixels because vega-lite cannot angle a mark along a line by itself.

export interface SequenceArrow {
  /** virtual time the message left `from`, in microseconds */
  sent: number;
  /** virtual time it arrived at `to`, in microseconds (for lost ones: when it would have) */
  received: number;
  from: string;
  to: string;
  label: string;
  /** drawn dashed red, ending half-way with a cross */
  lost?: boolean;
}

export interface SequenceOptions {
  /** left-to-right order of the lanes; every arrow's from/to must be one of them */
  lanes: string[];
  title?: string;
  /** unit of the time axis (the data stays in microseconds); default ms */
  timeUnit?: 'ms' | 's';
  width?: number;
  height?: number;
  /** 'middle': label along the arrow at its middle (default); 'start': flat, next to the sender */
  labelAt?: 'middle' | 'start';
  /**
   * Length of the time axis in microseconds, from the first arrow's send. Give two diagrams the same span
   * (and height) to draw them at one time scale, so a slower exchange also looks slower. Default: just
   * long enough for the arrows. A span shorter than the arrows is an error.
   */
  timeSpan?: number;
}

const DELIVERED = '#1f4e79';
const LOST = '#d62728';
const deg = (rad: number): number => (rad * 180) / Math.PI;
const round = (v: number): number => Math.round(v * 1e6) / 1e6; // keeps specs/SVG tidy and stable

/** Where along its arrow a label may sit, in order of preference. */
const LABEL_SPOTS = [0.5, 0.32, 0.68, 0.18, 0.82];
const LABEL_H = 13; // 11 px text
/** A label's rectangle on screen: centre, half extents, and its direction (unit vector along the text). */
interface Box { cx: number; cy: number; hw: number; hh: number; ux: number; uy: number }

/** The label drawn at (px, py) with angle `angle` (degrees clockwise), baseline bottom, 3 px above the line. */
function labelBox(label: string, angle: number, px: number, py: number): Box {
  const r = (angle * Math.PI) / 180;
  const ux = Math.cos(r), uy = Math.sin(r);
  const up = 3 + LABEL_H / 2; // centre of the text, along its "up" direction (sin, -cos)
  return { cx: px + uy * up, cy: py - ux * up, hw: (6 * label.length + 4) / 2, hh: LABEL_H / 2, ux, uy };
}

/** Separating-axis test of two rotated rectangles. */
function overlaps(a: Box, b: Box): boolean {
  const dx = b.cx - a.cx, dy = b.cy - a.cy;
  const axes: [number, number][] = [[a.ux, a.uy], [-a.uy, a.ux], [b.ux, b.uy], [-b.uy, b.ux]];
  const radius = (r: Box, ax: number, ay: number) =>
    Math.abs(ax * r.ux + ay * r.uy) * r.hw + Math.abs(-ax * r.uy + ay * r.ux) * r.hh;
  return axes.every(([ax, ay]) => Math.abs(dx * ax + dy * ay) < radius(a, ax, ay) + radius(b, ax, ay));
}

export function sequenceDiagram(arrows: SequenceArrow[], opts: SequenceOptions): object {
  const { lanes } = opts;
  if (lanes.length === 0) throw new Error('sequenceDiagram: opts.lanes is empty');
  const laneIndex = new Map(lanes.map((l, i) => [l, i] as const));
  const idx = (lane: string): number => {
    const i = laneIndex.get(lane);
    if (i === undefined) throw new Error(`sequenceDiagram: lane "${lane}" is not in opts.lanes (${lanes.join(', ')})`);
    return i;
  };
  const unit = opts.timeUnit ?? 'ms';
  const div = unit === 's' ? 1e6 : 1e3;
  const n = lanes.length;
  const width = opts.width ?? Math.max(360, 190 * n);
  const height = opts.height ?? Math.min(1000, Math.max(240, 34 * arrows.length + 40));

  // Segments in data units (lane index, time unit); lost ones stop half-way.
  const segs = arrows.map((a) => {
    const x1 = idx(a.from), xTo = idx(a.to);
    const y1 = a.sent / div, yTo = Math.max(a.received, a.sent) / div;
    const f = a.lost ? 0.5 : 1;
    return { a, x1, y1, x2: x1 + (xTo - x1) * f, y2: y1 + (yTo - y1) * f };
  });
  let t0 = Math.min(...segs.map((s) => s.y1)), t1 = Math.max(...segs.map((s) => s.y2));
  if (!Number.isFinite(t0)) { t0 = 0; t1 = 1; }
  if (opts.timeSpan !== undefined) {
    const need = (t1 - t0) * div;
    if (!(opts.timeSpan > 0)) throw new Error(`sequenceDiagram: timeSpan must be > 0 µs (got ${opts.timeSpan})`);
    if (opts.timeSpan < need - 1e-6) throw new Error(`sequenceDiagram: timeSpan ${opts.timeSpan} µs is shorter than the arrows' ${need} µs`);
    t1 = t0 + opts.timeSpan / div;
  }
  if (t1 === t0) t1 = t0 + 1;
  const pad = (t1 - t0) * 0.04;
  const yDomain = [round(t0 - pad), round(t1 + pad)];
  const pxX = width / n; // x domain spans n lane widths
  const pxY = height / (yDomain[1] - yDomain[0]);

  const placed: Box[] = [];
  const rows = segs.map(({ a, x1, y1, x2, y2 }) => {
    const dxs = (x2 - x1) * pxX, dys = (y2 - y1) * pxY; // screen vector, y down
    const len = Math.hypot(dxs, dys) || 1;
    // Back the head off 4 px so its tip, not its centre, touches the lane.
    const back = a.lost ? 0 : 4;
    let labelAngle = deg(Math.atan2(dys, dxs));
    if (labelAngle > 90) labelAngle -= 180;
    if (labelAngle < -90) labelAngle += 180;
    const start = opts.labelAt === 'start';
    // A label sits at the middle of its arrow unless another label is already there (arrows close in
    // time on the same lanes): then it slides along its own arrow to the first free spot.
    let t = 0.5;
    if (!start) {
      const boxAt = (f: number) => labelBox(a.label, labelAngle, ((x1 + (x2 - x1) * f) + 0.5) * pxX, ((y1 + (y2 - y1) * f) - yDomain[0]) * pxY);
      const tries = LABEL_SPOTS.map((f) => ({ f, box: boxAt(f) }));
      const free = tries.find((c) => !placed.some((b) => overlaps(b, c.box))) ?? tries[0];
      t = free.f;
      placed.push(free.box);
    }
    return {
      label: a.label,
      status: a.lost ? 'lost' : 'delivered',
      x: x1, y: round(y1), x2: round(x2), y2: round(y2),
      headX: round(x2 - (dxs / len) * back / pxX),
      headY: round(y2 - (dys / len) * back / pxY),
      // symbol angle is clockwise from "pointing up"; a lost message gets an upright x
      headAngle: a.lost ? 45 : round(deg(Math.atan2(dxs, -dys))),
      labelX: start ? x1 : round(x1 + (x2 - x1) * t),
      labelY: start ? round(y1) : round(y1 + (y2 - y1) * t),
      labelAngle: start ? 0 : round(labelAngle),
      labelAlign: start ? (x2 >= x1 ? 'left' : 'right') : 'center',
    };
  });

  const x = {
    field: 'x', type: 'quantitative',
    scale: { domain: [-0.5, n - 0.5], nice: false, zero: false },
    axis: {
      orient: 'top', title: null, values: lanes.map((_, i) => i), grid: false, domain: false, ticks: false,
      labelExpr: `${JSON.stringify(lanes)}[datum.value]`, labelFontSize: 13, labelFontWeight: 'bold', labelPadding: 6,
    },
  };
  const y = (field: string) => ({
    field, type: 'quantitative',
    scale: { domain: yDomain, reverse: true, nice: false, zero: false },
    axis: { title: `virtual time (${unit})`, domain: false, grid: true, gridOpacity: 0.35, tickCount: 8 },
  });
  const status = (range: unknown[]) => ({
    field: 'status', type: 'nominal', scale: { domain: ['delivered', 'lost'], range }, legend: null,
  });

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    ...(opts.title ? { title: opts.title } : {}),
    width, height,
    layer: [
      { // lanes: a vertical rule each; their names are the labels of the top axis
        data: { values: lanes.map((lane, i) => ({ lane, x: i })) },
        mark: { type: 'rule', color: '#888', strokeWidth: 1.5 },
        encoding: { x },
      },
      { // messages: one datum per arrow shared by line, head and label
        data: { values: rows },
        layer: [
          {
            mark: { type: 'rule', strokeWidth: 1.5 },
            encoding: {
              x, y: y('y'), x2: { field: 'x2' }, y2: { field: 'y2' },
              color: status([DELIVERED, LOST]), strokeDash: status([[1, 0], [5, 3]]),
            },
          },
          {
            mark: { type: 'point', filled: true, size: 70, opacity: 1 },
            encoding: {
              x: { ...x, field: 'headX' }, y: y('headY'),
              shape: status(['triangle-up', 'cross']),
              angle: { field: 'headAngle', type: 'quantitative', scale: null },
              color: status([DELIVERED, LOST]),
            },
          },
          // labels: centred along the arrow, or flat beside the sender (one layer per alignment,
          // since vega-lite has no align channel), each over a white halo so crossing lines
          // do not hide them
          ...(opts.labelAt === 'start' ? ['left', 'right'] : ['center']).flatMap((align) =>
            [true, false].map((halo) => ({
              transform: [{ filter: `datum.labelAlign === '${align}'` }],
              mark: {
                type: 'text', align, baseline: 'bottom', dy: -3, dx: align === 'left' ? 6 : align === 'right' ? -6 : 0,
                fontSize: 11, ...(halo ? { fill: 'white', stroke: 'white', strokeWidth: 3, strokeOpacity: 0.85 } : {}),
              },
              encoding: {
                x: { ...x, field: 'labelX' }, y: y('labelY'), text: { field: 'label' },
                angle: { field: 'labelAngle', type: 'quantitative', scale: null },
                ...(halo ? {} : { color: status([DELIVERED, LOST]) }),
              },
            })),
          ),
        ],
      },
    ],
    config: { view: { stroke: null } },
  };
}

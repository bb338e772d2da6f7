// Headless vega-lite -> SVG. vega@5 / vega-lite@5 on purpose: v6 is ESM with top-level
// await and cannot be require()d from CommonJS or from the tslab kernel (design.md §10).
import * as vega from 'vega';
import * as vl from 'vega-lite';

/**
 * Compiles a vega-lite v5 spec and renders it to an SVG string without a DOM.
 * Deterministic: same spec, byte-identical SVG (no timers, no random ids involved).
 */
export async function toSvg(spec: object): Promise<string> {
  // vl.compile wants its own TopLevelSpec type; our builders return plain objects.
  const compiled = vl.compile(spec as vl.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize(); // drops timers/listeners so a long-lived kernel does not leak views
  }
}

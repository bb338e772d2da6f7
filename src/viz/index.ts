// Public surface of the viz module (re-exported by src/index.ts).
export { toSvg } from './render';
export { show, showTable, showMarkdown, tableHtml } from './display';
export { sequenceDiagram, lineChart, barChart, cdfChart, ecdf } from './specs';
export type { SequenceArrow, SequenceOptions, ChartOptions } from './specs';
export { deckTableChart, vsYesterdayChart, shortNumber } from './dashboard';
export { bucketed } from './bucketed';

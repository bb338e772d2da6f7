// Public surface of the monitoring module (re-exported by src/index.ts).
export type { MonitorSink, SessionPhase, Platform, MessageKind, SlowConsumerEvent } from './sink';
export {
  Monitor, fanOut, DECK_TABLE, PHASES, PLATFORMS, KINDS, MINUTE_US, DAY_MINUTES,
  type MonitorOptions, type MetricName, type TableRow, type SeriesPoint, type WindowComparison, type Violation,
} from './monitor';
export { prometheusRegistry, type PrometheusOptions } from './prometheus';
export { statsText, STATS_SECTIONS, STATS_EXTRA_SECTIONS, type StatsTextOptions } from './stats-text';

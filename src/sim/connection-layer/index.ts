// The connection layer at scale: servers, balancer, clients in typed arrays, restarts (issue 4, item 1).
export {
  ConnectionLayer, runConnectionLayer, BALANCERS, RESTART_POLICIES, DEFAULT_SERVER,
  type Balancer, type ServerSpec, type DiurnalOptions, type RestartPlan, type RestartPolicy, type RestartMethod,
  type ConnectionLayerOptions, type LayerSeries, type RestartRecord, type LayerTotals, type LayerPeaks, type LayerResult,
} from './model';
// A chart helper for its series; it lives with the charts (src/viz).
export { bucketed } from '../../viz/bucketed';

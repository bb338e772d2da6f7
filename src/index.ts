// imsim as a library: what notebooks and other programs import (`import { ... } from 'imsim'`).
export const VERSION = '0.1.0';
export * from './wire';
export * from './ports';
export * from './protocol/messages';
export { makeToken, verifyToken, DEFAULT_SECRET } from './protocol/token';
export { ImClient, type ClientOptions, type ClientObserver, type ClientState } from './protocol/client';
export { Gateway, type Phase } from './connection/gateway';
export { LogicLayer } from './logic/logic-layer';
export { MemoryStore } from './logic/memory-store';
export { Kernel } from './sim/kernel';
export { Trace, type TraceEvent } from './sim/trace';
export { makeRng, type Rng } from './sim/rng';
export { Ledger, type DeliverySummary } from './sim/ledger';
export { World, type WorldOptions } from './sim/world';
export { SimHarness } from './sim/sim-harness';
export { SCENARIOS, runScenario, type Scenario, type ScenarioResult, type Check } from './sim/scenarios';
export { runMetrics, type RunMetrics } from './sim/metrics';
export { runWorkload, type WorkloadOptions } from './sim/scenarios/workload';
export { PROFILES, MOBILE_PROFILES, resolveProfile, type LinkProfile } from './sim/network/profiles';
export { PATTERNS } from './sim/network/mobility';
export { HEARTBEAT, RECONNECT, type HeartbeatPolicy, type ReconnectPolicy } from './protocol/policies';
export { conversation } from './scenario/conversation';
export type { FrameRecord } from './scenario/observer';
export { startServer, DEFAULT_PORT, type RunningServer } from './server/tcp-server';
export { RealHarness } from './server/real-harness';
export * from './viz';
export { executeNotebooks, listNotebooks } from './report/notebooks';
export { describeReply, mergeWrites, type WireRecord } from './sim/wire-log';
export * from './capacity/erlang';
export * from './sim/queueing';
export { compareProtocols, compareTable, COMPARE_PROFILES, COMPARE_MOBILITY, type CompareRow } from './sim/compare';
export * from './capacity/plan';
export { runConnectionFarm, BALANCERS, type Balancer, type ConnectionFarmOptions, type FarmResult, type FarmSample } from './capacity/connections';
export {
  ConnectionLayer, runConnectionLayer, RESTART_POLICIES, DEFAULT_SERVER,
  type ServerSpec, type DiurnalOptions, type RestartPlan, type RestartPolicy, type RestartMethod, type ConnectionLayerOptions,
  type LayerSeries, type RestartRecord, type LayerTotals, type LayerPeaks, type LayerResult,
} from './sim/connection-layer';
export { runS5, S5_BACKOFFS, S5_SETUP, type S5Run, type S5Backoff } from './sim/scenarios/s5-reconnect-storm';
export { confirmPlan, type ConfirmOptions, type Confirmation, type PlanCheck, type LogicRun } from './capacity/confirm';
export * from './monitor';
export { startSite, type RunningSite, type SiteOptions } from './server/http/site';
export { uploadMedia, downloadMedia, MediaHttpError, type HttpLogin } from './server/http/media-client';
export { MediaStore } from './server/http/media-store';
export { serverMonitoring, epochClock } from './server/monitoring';
export { monitoringRoutes, dashboardData, type DashboardData } from './server/http/monitoring';
export { startConnectionProcess, DEFAULT_LEASE_MS, type RunningConnectionProcess } from './server/connection-process';
export { startLogicProcess, type RunningLogicProcess } from './server/logic-process';
export { startCluster, type ClusterOptions, type RunningCluster } from './server/cluster-runner';
export { startProxy, ProxyDevice, PacedClock, type ProxyOptions, type DeviceSetup, type ProxyStats, type RunningProxy } from './server/proxy/index';
export { RealRun, runLoad, runRealWorkload, type LoadOptions, type LoadProgress, type LoadResult, type RealWorkloadOptions, type RealWorkloadResult } from './server/load';
export { simVsReal, simVsRealTable, type SimVsReal, type SimVsRealOptions } from './server/load-compare';
export { LogicModel, DEFAULT_LOGIC_SERVICE, type LogicModelOptions, type LogicModelStats } from './sim/logic-model';
export * from './sim/workload';
export { runInvariants, type InvariantOptions } from './sim/invariants';
export { runS6, S6_DOWN_US, type S6Run } from './sim/scenarios/s6-logic-restart';
export { runS7, S7_POLICIES, S7_BUFFER, S7_TIGHT, type S7Run, type S7Buffer } from './sim/scenarios/s7-slow-consumer';
export { SLOW_CONSUMER_POLICIES, type SlowConsumerPolicy, type OutputBufferOptions } from './connection/gateway';

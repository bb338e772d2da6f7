// The logic layer as a queueing system (worker pool behind the async queue); see worker-pool.ts.
export { WorkerPool, runWorkerPool } from './worker-pool';
export type { WorkerPoolOptions, PoolStats, PoolSeries, LittleCheck } from './worker-pool';
export { SERVICE_DISTS, checkService, serviceCv, serviceMean, serviceSampler, type ServiceTime } from './service';
export { modelVsSimChart, spread, type ModelPoint, type SimPoint } from './charts';

// The workload of the simulated deployment: users with platforms and networks, sessions and messages
// (text and images) over whole days shaped by a diurnal curve. One place for it; scenarios use it.
export { DAY_US, IM_HOURLY, diurnalCurve, nextArrival, nextTimeOfDay, timeOfDay, type DiurnalCurve } from './diurnal';
export {
  NETWORK_MIX, PLATFORM_MIX, Population, populate, uploadDelayUs,
  type PopulationOptions, type PopulationStats, type PopulationUser, type UploadRecord,
} from './population';
export { simulateDays, type DaysOptions, type DaysRun } from './days';

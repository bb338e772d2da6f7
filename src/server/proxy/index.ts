// The chaos proxy: real TCP through the simulator's link model (see proxy.ts).
export { startProxy, ProxyDevice, DEFAULT_WINDOW, profileName, type ConnectionFlow, type ProxyOptions, type DeviceSetup, type ProxyStats, type RunningProxy } from './proxy';
export { PacedClock } from './paced-clock';

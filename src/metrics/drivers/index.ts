/** Key-drivers analysis of a score metric (drivers sections): preparation, one result per report period, its text. */
export { computeDrivers, minimumCases, bootstrapShares, MAX_DRIVERS } from './compute.js';
export { prepareDrivers } from './prepare.js';
export { MESSAGES } from './messages.js';
export type { DriverItem, DriversOutcome, DriversResult, DriversSpec, PreparedDrivers } from './types.js';

/**
 * Every fast-check property runs from one fixed seed, so that a run is repeatable and a failure
 * seen in CI reproduces here. FC_SEED=<n> explores other inputs (a failure prints its seed and
 * path; pass them back to replay it).
 */
import fc from 'fast-check';

export const PROPERTY_SEED = Number(process.env.FC_SEED ?? 20261206);
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: PROPERTY_SEED });

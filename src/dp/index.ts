/**
 * @module dp
 * Differential privacy: calibration of the kernel's exact noise and the privacy accountant.
 */
export { validateDpConfig, calibrate, sensitivityOf, toIntegerUnits, laplaceScaleRational } from './calibration.ts';
export type { DpConfig, CalibrationContext, Calibration } from './calibration.ts';
export { analyticGaussianSigma, gaussianDelta } from './analytic-gaussian.ts';
export { zcdpToEpsilon, rdpToEpsilon, rdpPointToEpsilon, pureDpRdp, RDP_ORDERS } from './privacy-loss.ts';
export { PrivacyAccountant } from './accountant.ts';
export type { Release, ReleaseCost, PrivacySpent, AccountantOptions } from './accountant.ts';

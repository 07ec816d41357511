/**
 * @module dp
 * Differential privacy: calibration of the kernel's exact noise and the privacy accountant.
 */
export { validateDpConfig, calibrate, laplaceScaleRational } from './calibration.ts';
export { sensitivityOf, sensitivityInt, clipBoundInt, toIntegerUnits } from './sensitivity.ts';
export type { DpConfig, CalibrationContext, Calibration } from './calibration.ts';
export { analyticGaussianSigma, gaussianDelta } from './analytic-gaussian.ts';
export { zcdpToEpsilon, zcdpMaxRho, rdpToEpsilon, rdpPointToEpsilon, pureDpRdp, RDP_ORDERS } from './privacy-loss.ts';
export { gaussianRho, distributedGaussianRho, kls21Tau } from './discrete-gaussian-rho.ts';
export { PrivacyAccountant } from './accountant.ts';
export type { Release, ReleaseCost, PrivacySpent, AccountantOptions } from './accountant.ts';
export { announceNoise, checkAnnouncement, parseNoiseAnnouncement, planHashOf } from './noise-announcement.ts';
export type { NoiseAnnouncement, PlanSource } from './noise-announcement.ts';
export { signRoundReport, verifyRoundReport, parseRoundReport } from './round-report.ts';
export type { RoundReportFields, SignedRoundReport } from './round-report.ts';

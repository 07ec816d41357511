/** @module controller — the FeatureCloud-compatible controller (re-exports only). */
export { runController, type ControllerOptions } from './controller.ts';
export { parseRoster, type Roster, type RosterSite } from './roster-file.ts';
export type { ControllerSummary, PrivacyEntry, RoundEntry, SiteState } from './run-report.ts';
export { formatSummary } from './run-report.ts';
export {
  flatten,
  parseNumericJson,
  restoreJson,
  shapeKey,
  shapeSize,
  describeShape,
  type Flattened,
  type Shape,
} from './nested-vector.ts';
export { parseAppStatus, type AppStatus, type AppSmpc, type AppDp } from './app-status.ts';
export { routeOf, dataQuery, pythonQuote, type Route, type SiteRole } from './routing.ts';

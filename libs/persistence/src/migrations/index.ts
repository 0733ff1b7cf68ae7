import { VssCore1763900000000 } from './1763900000000-VssCore';
import { SecurityAudit1763900000100 } from './1763900000100-SecurityAudit';
import { OlderBaseSalaries1763900000200 } from './1763900000200-OlderBaseSalaries';
import { CoverageChangeFeed1763900001000 } from './1763900001000-CoverageChangeFeed';
import { CoverageChangeFeedBulk1763900001010 } from './1763900001010-CoverageChangeFeedBulk';
import { LinkedProcedures1763900002000 } from './1763900002000-LinkedProcedures';
import { Reconciliation1763900003000 } from './1763900003000-Reconciliation';
import { ReconciliationScanIndex1763900003010 } from './1763900003010-ReconciliationScanIndex';
import { ReconciliationLegacyIndex1763900003020 } from './1763900003020-ReconciliationLegacyIndex';
import { RatesLegalSources1763900004000 } from './1763900004000-RatesLegalSources';
import { TamperEvidentAudit1763900005000 } from './1763900005000-TamperEvidentAudit';
import { CallerLimits1763900006000 } from './1763900006000-CallerLimits';
import { WatchNotifications1763900006010 } from './1763900006010-WatchNotifications';
import { Sweeps1763900006020 } from './1763900006020-Sweeps';
import { RecordedDates1763900007000 } from './1763900007000-RecordedDates';
import { MatchModels1763900008000 } from './1763900008000-MatchModels';
import { CandidatesByRecord1763900009000 } from './1763900009000-CandidatesByRecord';
import { Authority1763900011000 } from './1763900011000-Authority';
import { Console1763900012000 } from './1763900012000-Console';
import { Oversight1763900013000 } from './1763900013000-Oversight';
import { Amendments1763900014000 } from './1763900014000-Amendments';
import { MoneyAudit1763900015000 } from './1763900015000-MoneyAudit';
import { OpaqueChangeFeed1763900018000 } from './1763900018000-OpaqueChangeFeed';
import { FindingApplications1763900020000 } from './1763900020000-FindingApplications';

/**
 * The migrations of the `vss` schema kept here, by timestamp (TypeORM runs them in the order of
 * the timestamps in their names). Features that own their schema's SQL keep their migrations
 * beside it (libs/audit); libs/core joins them into one history (VSS_SCHEMA).
 */
export const VSS_MIGRATIONS = [
  VssCore1763900000000,
  SecurityAudit1763900000100,
  OlderBaseSalaries1763900000200,
  CoverageChangeFeed1763900001000,
  CoverageChangeFeedBulk1763900001010,
  LinkedProcedures1763900002000,
  Reconciliation1763900003000,
  ReconciliationScanIndex1763900003010,
  ReconciliationLegacyIndex1763900003020,
  RatesLegalSources1763900004000,
  TamperEvidentAudit1763900005000,
  CallerLimits1763900006000,
  WatchNotifications1763900006010,
  Sweeps1763900006020,
  RecordedDates1763900007000,
  MatchModels1763900008000,
  CandidatesByRecord1763900009000,
  Authority1763900011000,
  Console1763900012000,
  Oversight1763900013000,
  Amendments1763900014000,
  MoneyAudit1763900015000,
  OpaqueChangeFeed1763900018000,
  FindingApplications1763900020000,
];

export const VSS_MIGRATIONS_TABLE = 'vss_migrations';

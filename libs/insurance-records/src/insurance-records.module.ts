import { Module } from '@nestjs/common';
import { CoverageRecordsRepository } from './coverage-records.repository';
import { DeathAmendments } from './death-amendments';
import { DeathRecorder } from './death-recorder';
import { FacilitiesRepository } from './facilities.repository';
import { FuneralPayoutsRepository } from './funeral-payouts.repository';
import { InsuranceRecordsRepository } from './insurance-records.repository';
import { PersonRecordsRepository } from './person-records.repository';
import { RecordAmendmentsRepository } from './record-amendments.repository';
import { RecordsScanRepository } from './records-scan.repository';

const PROVIDERS = [
  CoverageRecordsRepository,
  InsuranceRecordsRepository,
  DeathRecorder,
  DeathAmendments,
  RecordAmendmentsRepository,
  FacilitiesRepository,
  FuneralPayoutsRepository,
  RecordsScanRepository,
  PersonRecordsRepository,
];

/**
 * The insurance records — participants, cards, benefits, payments, payouts, facilities,
 * rates — for every feature that reads or changes them (each imports this module). The only
 * module whose SQL writes those tables.
 */
@Module({ providers: PROVIDERS, exports: PROVIDERS })
export class InsuranceRecordsModule {}

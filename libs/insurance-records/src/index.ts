export * from './death-recorder';
export * from './facilities.repository';
export * from './funeral-payouts.repository';
export * from './insurance-records.module';
export * from './insurance-records.repository';
export * from './records-scan.repository';
export * from './coverage-records.repository';
export * from './person-records.repository';

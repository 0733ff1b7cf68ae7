import { Module } from '@nestjs/common';
import { OfficesRepository } from './offices.repository';

/** The registered offices, for the features that judge a filing's jurisdiction. */
@Module({ providers: [OfficesRepository], exports: [OfficesRepository] })
export class AuthorityModule {}

import { Module } from '@nestjs/common';
import { OfficesRepository } from './offices.repository';
import { OperatorCredentialsRepository } from './operator-credentials.repository';
import { OperatorsRepository } from './operators.repository';

/**
 * The registered offices, for the features that judge a filing's jurisdiction; the operators
 * and their sign-in, for the console.
 */
@Module({
  providers: [OfficesRepository, OperatorsRepository, OperatorCredentialsRepository],
  exports: [OfficesRepository, OperatorsRepository, OperatorCredentialsRepository],
})
export class AuthorityModule {}

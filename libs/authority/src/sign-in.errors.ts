import { ErrorClass, errorsOf } from '@vss/platform';

/** Why a sign-in or an enrolment is refused. */
export enum SignInErrorCode {
  /** The login, the password or the code is wrong; which one is not told. */
  BadCredentials = 'SIGN_IN_BAD_CREDENTIALS',
  Locked = 'SIGN_IN_LOCKED',
  NotEnrolled = 'SIGN_IN_NOT_ENROLLED',
  EnrolmentInvalid = 'ENROLMENT_INVALID',
  WeakPassword = 'ENROLMENT_WEAK_PASSWORD',
  WrongCode = 'ENROLMENT_WRONG_CODE',
}

export const signInError = errorsOf<SignInErrorCode>({
  [SignInErrorCode.BadCredentials]: ErrorClass.Unauthenticated,
  [SignInErrorCode.Locked]: ErrorClass.Unauthenticated,
  [SignInErrorCode.NotEnrolled]: ErrorClass.Unauthenticated,
  [SignInErrorCode.EnrolmentInvalid]: ErrorClass.NotFound,
  [SignInErrorCode.WeakPassword]: ErrorClass.InvalidArgument,
  [SignInErrorCode.WrongCode]: ErrorClass.InvalidArgument,
});

import { AppError } from '@vss/platform';

/** The AppError a service call was refused with; fails the test when it was not refused, or refused otherwise. */
export async function refusalOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

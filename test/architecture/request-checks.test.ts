import 'reflect-metadata';
import { CivilEventsModule } from '@vss/civil-events';
import { CoverageModule } from '@vss/coverage';
import { REQUEST_CHECK_KEY } from '@vss/platform';
import { ReconciliationModule } from '@vss/reconciliation';
import { ROLES_KEY } from '@vss/security';

/**
 * Every handler a caller can reach declares its request check (@CheckedBy), so that an invalid
 * request is INVALID_ARGUMENT before any of the caller's limits is spent — the RequestCheckGuard
 * runs it; test/security/limits.test.ts shows it with an empty bucket.
 */
type Handler = { controller: string; method: string; fn: object; callable: boolean };

/** The handlers of a module's controllers; callable when @Roles grants them (on the method or its class). */
function handlersOf(module: object): Handler[] {
  const controllers = (Reflect.getMetadata('controllers', module) ?? []) as (new () => object)[];
  return controllers.flatMap((controller) =>
    Object.getOwnPropertyNames(controller.prototype)
      .filter((method) => method !== 'constructor')
      .map((method) => {
        const fn = (controller.prototype as Record<string, object>)[method];
        const roles = Reflect.getMetadata(ROLES_KEY, fn) ?? Reflect.getMetadata(ROLES_KEY, controller);
        return { controller: controller.name, method, fn, callable: roles !== undefined };
      }),
  );
}

const HANDLERS = [CoverageModule, CivilEventsModule, ReconciliationModule].flatMap(handlersOf);
const callable = (h: Handler) => h.callable;

describe('request checks before limits', () => {
  it('finds the handlers it checks (the check is not vacuous)', () => {
    const names = HANDLERS.filter(callable).map((h) => `${h.controller}.${h.method}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'CoverageGrpcController.lookupCoverage',
        'CoverageHttpController.lookup',
        'CivilEventsGrpcController.submitDeathRegistration',
        'ReconciliationGrpcController.applyFindings',
      ]),
    );
    expect(names.length).toBeGreaterThanOrEqual(20);
  });

  it('has every handler with @Roles declare its request check', () => {
    const unchecked = HANDLERS.filter(callable)
      .filter((h) => typeof Reflect.getMetadata(REQUEST_CHECK_KEY, h.fn) !== 'function')
      .map((h) => `${h.controller}.${h.method}`);
    expect(unchecked).toEqual([]);
  });
});

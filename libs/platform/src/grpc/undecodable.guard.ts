import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { AppError, ErrorClass, invalidArgument } from '../errors';
import { oversizeReason, undecodableReason } from './grpc-server';

/**
 * C0 and C1 control characters other than tab, line feed and carriage return. NUL in
 * particular: PostgreSQL stores no text with it, so it would fail deep in a write.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/u;

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * The first field (as its proto name, `birth.child_full_name`, `citizen_ids[3]`) of a request
 * whose text holds a control character, or undefined.
 */
export function fieldWithControlCharacter(value: unknown): string | undefined {
  const path = controlCharacterPath(value);
  if (!path) return undefined;
  // Named only when found: every clean request would otherwise pay for its fields' names.
  return (
    path
      .map((step, i) => (typeof step === 'number' ? `[${step}]` : i === 0 ? snake(step) : `.${snake(step)}`))
      .join('') || '(request)'
  );
}

/** The keys and indexes down to the first text with a control character, innermost last. */
function controlCharacterPath(value: unknown): Array<string | number> | undefined {
  if (typeof value === 'string') return CONTROL.test(value) ? [] : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = controlCharacterPath(value[i]);
      if (found) return [i, ...found];
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      const found = controlCharacterPath((value as Record<string, unknown>)[key]);
      if (found) return [key, ...found];
    }
  }
  return undefined;
}

/**
 * The first guard of every call: a request larger than its method takes gets RESOURCE_EXHAUSTED
 * (it was never decoded); bytes that are not the method's protobuf message get
 * INVALID_ARGUMENT naming the message type (grpc-js alone would answer INTERNAL), and text with
 * control characters — in any field of a gRPC request, or of an HTTP body, query or path —
 * INVALID_ARGUMENT naming the field, before anything reads it.
 */
@Injectable()
export class UndecodableRequestGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    let field: string | undefined;
    if (context.getType() === 'rpc') {
      const data = context.switchToRpc().getData<unknown>();
      const oversize = oversizeReason(data);
      if (oversize) {
        throw new AppError(
          'REQUEST_TOO_LARGE',
          ErrorClass.ResourceExhausted,
          `${oversize}: send less in one call (a batch in parts)`,
          '(request)',
        );
      }
      const reason = undecodableReason(data);
      if (reason) throw invalidArgument('REQUEST_UNDECODABLE', '(request)', reason);
      field = fieldWithControlCharacter(data);
    } else {
      const request = context
        .switchToHttp()
        .getRequest<{ body?: unknown; query?: unknown; params?: unknown }>();
      field =
        fieldWithControlCharacter(request.body) ??
        fieldWithControlCharacter(request.query) ??
        fieldWithControlCharacter(request.params);
    }
    if (field) {
      throw invalidArgument(
        'CONTROL_CHARACTER',
        field,
        `${field} contains a control character (NUL, escape …); send printable text only`,
      );
    }
    return true;
  }
}

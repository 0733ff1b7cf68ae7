import type { Subscriber } from 'rxjs';

/** The part of a grpc-js server stream that a paced sender needs. */
export interface WritableCall<T> {
  write(message: T): boolean;
  once(event: 'drain' | 'cancelled' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'cancelled' | 'close', listener: () => void): unknown;
  cancelled?: boolean;
}

/**
 * Sends one message of a server stream. With the call at hand it is written to the call itself
 * and the sender waits until the client has taken it (or has gone): a stream is read from the
 * database only as fast as its client drains it (backpressure), where emitting through Nest
 * would buffer whatever the sender produced. Without a call (a service called in-process) it
 * is emitted through the observable.
 */
export async function sendPaced<T>(
  subscriber: Subscriber<T>,
  call: WritableCall<T> | undefined,
  message: T,
): Promise<void> {
  if (!call) {
    subscriber.next(message);
    return;
  }
  if (call.write(message)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      for (const event of EVENTS) call.off(event, done);
      resolve();
    };
    for (const event of EVENTS) call.once(event, done);
  });
}

const EVENTS = ['drain', 'cancelled', 'close'] as const;

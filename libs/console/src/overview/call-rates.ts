import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { CALL_TALLY } from '@vss/platform';

/** Calls a minute in this gateway process: answered lookups, refusals by limit and by authentication. */
export interface CallRates {
  lookups: number;
  refusedByLimit: number;
  refusedByAuth: number;
  /** Over how many seconds the rates were measured (up to 60, less just after start). */
  seconds: number;
}

const SAMPLE_MS = 5_000;
const WINDOW_MS = 60_000;

interface Sample {
  at: number;
  lookups: number;
  refusedByLimit: number;
  refusedByAuth: number;
}

/**
 * Samples this process's call tally every 5 s and answers the last minute's counts, for the
 * overview. Per gateway process: each gateway of a fleet shows its own.
 */
@Injectable()
export class CallRateSampler implements OnModuleInit, OnModuleDestroy {
  private readonly samples: Sample[] = [];
  private timer: NodeJS.Timeout | undefined;

  onModuleInit(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  private now(): Sample {
    return {
      at: Date.now(),
      lookups: CALL_TALLY.lookupsAnswered,
      refusedByLimit: CALL_TALLY.refusedByLimit,
      refusedByAuth: CALL_TALLY.refusedByAuth,
    };
  }

  private sample(): void {
    this.samples.push(this.now());
    while (this.samples.length > 1 && this.samples[0].at < Date.now() - WINDOW_MS - SAMPLE_MS) {
      this.samples.shift();
    }
  }

  /** The counts of the last minute (the oldest sample within it to now), scaled to a minute. */
  rates(): CallRates {
    const now = this.now();
    const from = this.samples.find((s) => s.at >= now.at - WINDOW_MS) ?? this.samples[0] ?? now;
    const seconds = Math.max(1, (now.at - from.at) / 1000);
    const perMinute = (n: number) => Math.round((n * 60) / seconds);
    return {
      lookups: perMinute(now.lookups - from.lookups),
      refusedByLimit: perMinute(now.refusedByLimit - from.refusedByLimit),
      refusedByAuth: perMinute(now.refusedByAuth - from.refusedByAuth),
      seconds: Math.round(seconds),
    };
  }
}

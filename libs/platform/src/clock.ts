import { Injectable } from '@nestjs/common';

const VIETNAM = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Ho_Chi_Minh',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The calendar date in Vietnam (UTC+7) at an instant, as YYYY-MM-DD. */
export function vietnamDate(at: Date): string {
  return VIETNAM.format(at);
}

/** The one place that reads the time, so that tests can move it. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
  today(): string {
    return vietnamDate(this.now());
  }
}

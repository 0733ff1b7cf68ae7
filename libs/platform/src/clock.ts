import { Injectable } from '@nestjs/common';
import { type IsoDate, VIETNAM_OFFSET_MS, vietnamDate } from '@vss/domain';

const DAY_MS = 86_400_000;

/** The one place that reads the time, so that tests can move it. */
@Injectable()
export class Clock {
  /** Today in Vietnam and the instants it spans: formatting a date per call costs more than a lookup. */
  private day = { from: 0, until: 0, date: '' };

  now(): Date {
    return new Date();
  }

  /** The calendar date in Vietnam now. */
  today(): IsoDate {
    const now = this.now().getTime();
    if (now < this.day.from || now >= this.day.until) {
      const from = Math.floor((now + VIETNAM_OFFSET_MS) / DAY_MS) * DAY_MS - VIETNAM_OFFSET_MS;
      this.day = { from, until: from + DAY_MS, date: vietnamDate(now) };
    }
    return this.day.date;
  }
}

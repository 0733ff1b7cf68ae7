import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Pool } from 'pg';
import { Public } from '@vss/security';
import { LOGGER, PG_POOL } from '@vss/platform';
import type { Logger } from 'pino';

interface Reply {
  status(code: number): Reply;
  json(body: unknown): void;
}

@Controller()
export class HealthHttpController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Liveness: the process answers. */
  @Get('healthz')
  @Public()
  healthz() {
    return { status: 'ok' };
  }

  /** Readiness: the database answers within a second. */
  @Get('readyz')
  @Public()
  async readyz(@Res() reply: Reply) {
    try {
      await Promise.race([
        this.pool.query('SELECT 1'),
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error('database did not answer in 1 s')), 1000),
        ),
      ]);
      reply.status(200).json({ status: 'ready' });
    } catch (error) {
      // The reason stays in the log: a probe's answer is public and must not describe the database.
      this.logger.warn({ err: error }, 'readiness: database did not answer');
      reply.status(503).json({ status: 'not ready', reason: 'the database did not answer within 1 s' });
    }
  }
}

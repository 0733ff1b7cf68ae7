import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { dirname, join } from 'node:path';
import { Public } from '@vss/security';
import { CONSOLE_JS } from './console.client';
import { CONSOLE_CSS } from './console.css';

/** The console's scripts and styles, from npm packages installed with the gateway — never a CDN. */
const VENDOR: Record<string, string> = {
  'htmx.min.js': require.resolve('htmx.org/dist/htmx.min.js'),
  'htmx-sse.js': require.resolve('htmx-ext-sse/sse.js'),
  // chart.js exports no subpath for its browser build: it sits beside the CommonJS entry.
  'chart.umd.js': join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'),
};

const OWN: Record<string, { type: string; body: string }> = {
  'console.css': { type: 'text/css', body: CONSOLE_CSS },
  'console.js': { type: 'text/javascript', body: CONSOLE_JS },
};

@Controller('console/assets')
export class AssetsController {
  @Get(':name')
  @Public()
  asset(@Param('name') name: string, @Res() res: Response): void {
    res.setHeader('Cache-Control', 'public, max-age=3600');
    const own = OWN[name];
    if (own) {
      res.type(own.type).send(own.body);
      return;
    }
    const file = VENDOR[name];
    if (!file) throw new NotFoundException(`no console asset ${name}`);
    res.type('text/javascript').sendFile(file);
  }
}

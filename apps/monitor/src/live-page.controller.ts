import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type MonitorSnapshot, SystemWatch } from './system-watch.service';

const PAGE_DIR = join(__dirname, 'page');
/** Everything the page loads comes from this app: no CDN, no inline script. */
const CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:";

/** The live page at `/`, its script, and the JSON it polls. */
@ApiExcludeController()
@Controller()
export class LivePageController {
  private readonly html = readFileSync(join(PAGE_DIR, 'index.html'), 'utf8');
  private readonly script = readFileSync(join(PAGE_DIR, 'live.js'), 'utf8');

  constructor(@Inject(SystemWatch) private readonly watch: SystemWatch) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', CSP)
  page(): string {
    return this.html;
  }

  @Get('live.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  pageScript(): string {
    return this.script;
  }

  @Get('api/snapshot')
  @Header('Cache-Control', 'no-store')
  snapshot(): MonitorSnapshot {
    return this.watch.snapshot();
  }
}

import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { RequiresAdminScope } from '@redpacket/platform';
import { PAGE_CSP, pageFile } from './page-files';
import { type MonitorSnapshot, SystemWatch } from './system-watch.service';

/**
 * The live page at `/`, its script, the monitor's shared styles, and the JSON the page polls. The page
 * holds nothing; the snapshot it reads takes a credential holding `metrics`, which the page asks for.
 */
@ApiExcludeController()
@Controller()
export class LivePageController {
  private readonly html = pageFile('index.html');
  private readonly script = pageFile('live.js');
  private readonly styles = pageFile('base.css');

  constructor(@Inject(SystemWatch) private readonly watch: SystemWatch) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', PAGE_CSP)
  page(): string {
    return this.html;
  }

  @Get('live.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  pageScript(): string {
    return this.script;
  }

  /** The styles every page of the monitor shares. */
  @Get('base.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  baseStyles(): string {
    return this.styles;
  }

  @Get('api/snapshot')
  @RequiresAdminScope('metrics')
  @Header('Cache-Control', 'no-store')
  snapshot(): MonitorSnapshot {
    return this.watch.snapshot();
  }
}

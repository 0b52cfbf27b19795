import { Controller, Get, Global, Header, Inject, Module, SetMetadata } from '@nestjs/common';
import { ADMIN_SCOPE_METADATA } from '@redpacket/config';
import { ApiExcludeController } from '@nestjs/swagger';
import { Metrics } from './metrics';

/** Business counters: a credential holding the `metrics` scope reads them, unless METRICS_PUBLIC. */
@ApiExcludeController()
@SetMetadata(ADMIN_SCOPE_METADATA, 'metrics')
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(Metrics) private readonly metrics: Metrics) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}

/** One registry per app, every series of the catalogue, served at `GET /metrics` for Prometheus. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [{ provide: Metrics, useFactory: () => new Metrics({ defaultMetrics: true }) }],
  exports: [Metrics],
})
export class MetricsModule {}

import { type DynamicModule, Module } from '@nestjs/common';
import { BaseConfig } from './base.config';
import { type ConfigClass, loadConfig } from './load-config';

export interface ConfigModuleOptions<T extends object> {
  /** The app's configuration class, composed from the settings pieces. */
  configClass: ConfigClass<T>;
  /** The already validated object (apps validate before building modules); loaded here if absent. */
  loaded?: T;
}

/**
 * Validates the environment once, at boot, into a typed object injectable by its class.
 * A bad environment stops the process with one error listing every fault.
 */
@Module({})
export class ConfigModule {
  static forRoot<T extends object>({ configClass, loaded }: ConfigModuleOptions<T>): DynamicModule {
    return {
      module: ConfigModule,
      global: true,
      providers: [
        loaded
          ? { provide: configClass, useValue: loaded }
          : { provide: configClass, useFactory: () => loadConfig(configClass) },
        // Libraries depend on the common part only, whatever the app's own class is.
        ...(configClass === (BaseConfig as unknown) ? [] : [{ provide: BaseConfig, useExisting: configClass }]),
      ],
      exports: [configClass, BaseConfig],
    };
  }
}

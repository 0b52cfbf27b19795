import { WithAdmin } from './admin.settings';
import { AppSettings } from './app.settings';
import { WithDatabase } from './database.settings';
import { WithKafka } from './kafka.settings';

/**
 * What every app reads, composed from small pieces: the process itself, Postgres, Kafka and the admin
 * credentials. Each app composes its own configuration from this and the pieces it needs (`WithOutbox`,
 * `WithRewards`, `WithProbeAlerts`, its own settings); this class is also the token under which libraries
 * inject the shared part.
 */
export class BaseConfig extends WithAdmin(WithKafka(WithDatabase(AppSettings))) {}

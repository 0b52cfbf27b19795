import { CreateServiceSchemas1764000000000 } from './1764000000000-create-service-schemas';

/** Every migration, in order. Listed explicitly so the apps, the CLI and jest load the same set. */
export const allMigrations = [CreateServiceSchemas1764000000000];

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withComposeSecrets } from '../../testkit/compose/compose-secrets';

/**
 * `npm run compose:env`: writes `.env` beside docker-compose.yml with a random value for every secret the
 * compose file needs, keeping any already set. Prints the names it added, never the values.
 */
function main(): void {
  const file = join(__dirname, '..', '..', '.env');
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const { text, added } = withComposeSecrets(existing);
  if (added.length === 0) return void console.log('.env already holds every secret docker compose needs');
  writeFileSync(file, text, { mode: 0o600 });
  console.log(`.env: ${added.join(', ')} set to random values`);
}

main();

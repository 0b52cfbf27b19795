import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import 'reflect-metadata';
import { getMetadataStorage } from 'class-validator';
import ts from 'typescript';
import { isSecretSetting, productionRefusalOf } from '@redpacket/config';
import { MonitorConfig } from '../../apps/monitor/src/monitor.config';
import { OrderServiceConfig } from '../../apps/order-service/src/order-service.config';
import { ReconcilerConfig } from '../../apps/reconciler/src/reconciler.config';
import { RewardServiceConfig } from '../../apps/reward-service/src/reward-service.config';

const REPO_ROOT = join(__dirname, '..', '..');
export const CONFIG_REFERENCE_FILE = join(REPO_ROOT, 'docs', 'configuration.md');

/** Each app's configuration class: what it reads is what it declares. */
const APPS = {
  'order-service': OrderServiceConfig,
  'reward-service': RewardServiceConfig,
  reconciler: ReconcilerConfig,
  monitor: MonitorConfig,
} as const;
type AppName = keyof typeof APPS;

/** Where the settings are declared and documented (JSDoc on each property). */
const SOURCES = [
  'libs/config/src/app.settings.ts',
  'libs/config/src/database.settings.ts',
  'libs/config/src/kafka.settings.ts',
  'libs/config/src/admin.settings.ts',
  'libs/config/src/outbox.settings.ts',
  'libs/rewards/src/rewards.settings.ts',
  'libs/monitoring/src/probes/probe-alert.settings.ts',
  'apps/order-service/src/order-service.config.ts',
  'apps/reward-service/src/reward-service.config.ts',
  'apps/reconciler/src/reconciler.config.ts',
  'apps/monitor/src/monitor.config.ts',
];

export interface Setting {
  name: string;
  type: string;
  /** Per app, when the apps' defaults differ. */
  defaults: Map<AppName, string | number | boolean | string[] | undefined>;
  apps: AppName[];
  production: string;
  meaning: string;
}

/** The JSDoc of every setting, by name, as one line; the first declaration's where one is redeclared. */
export function settingDescriptions(): Map<string, string> {
  const descriptions = new Map<string, string>();
  for (const file of SOURCES) {
    const source = ts.createSourceFile(file, readFileSync(join(REPO_ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isPropertyDeclaration(node) && ts.isIdentifier(node.name) && /^[A-Z][A-Z0-9_]+$/.test(node.name.text)) {
        const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
        const text = docs
          .map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? '')
          .join(' ')
          .replace(/\s+/g, ' ')
          .trim();
        if (text && !descriptions.has(node.name.text)) descriptions.set(node.name.text, text);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return descriptions;
}

/** What the validators accept, in words: `integer 1–200`, `boolean`, `one of a, b`, `list`, `text`. */
function typeOf(rules: { name?: string; constraints?: unknown[] }[]): string {
  const rule = (name: string) => rules.find((r) => r.name === name);
  if (rule('isEmpty')) return 'removed (must not be set)';
  if (rule('isBoolean')) return 'boolean';
  const allowed = rule('isIn')?.constraints?.[0];
  if (Array.isArray(allowed)) return `one of ${allowed.map((value) => `\`${String(value)}\``).join(', ')}`;
  if (rule('isInt')) {
    const [min, max] = [rule('min')?.constraints?.[0], rule('max')?.constraints?.[0]] as (number | undefined)[];
    if (min !== undefined && max !== undefined) return `integer ${min}–${max}`;
    if (min !== undefined) return `integer ≥ ${min}`;
    return 'integer';
  }
  if (rule('isArray')) return 'comma-separated list';
  return 'text';
}

/** Defaults are strings, numbers, booleans or lists of strings. */
function defaultText(value: string | number | boolean | string[] | undefined): string {
  if (value === undefined) return '';
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** Every setting any app reads, sorted by name. */
export function settings(): Setting[] {
  const descriptions = settingDescriptions();
  const byName = new Map<string, Setting>();
  for (const [app, Config] of Object.entries(APPS) as [AppName, (typeof APPS)[AppName]][]) {
    const instance = new Config() as unknown as Record<string, string | number | boolean | string[] | undefined>;
    const rules = getMetadataStorage().getTargetValidationMetadatas(Config, '', true, false);
    for (const name of new Set(rules.map((rule) => rule.propertyName))) {
      const own = rules.filter((rule) => rule.propertyName === name);
      const setting: Setting = byName.get(name) ?? {
        name,
        type: typeOf(own),
        defaults: new Map(),
        apps: [],
        production: productionText(name, Config, typeOf(own)),
        meaning: descriptions.get(name) ?? '',
      };
      setting.apps.push(app);
      setting.defaults.set(app, instance[name]);
      byName.set(name, setting);
    }
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function productionText(name: string, Config: object, type: string): string {
  const refusal = productionRefusalOf(Config, name);
  const secret = isSecretSetting(name) && type === 'text' ? 'a secret: refused when published or weak' : '';
  return [refusal && `refused when ${refusal}`, secret].filter(Boolean).join('; ');
}

/** `10` when every app that reads it agrees, else `10 (reward-service 20)`. */
function defaultsText(setting: Setting): string {
  const texts = [...setting.defaults.entries()].map(([app, value]) => [app, defaultText(value)] as const);
  const counts = new Map<string, number>();
  for (const [, text] of texts) counts.set(text, (counts.get(text) ?? 0) + 1);
  const usual = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
  const others = texts.filter(([, text]) => text !== usual).map(([app, text]) => `${app} ${text || '(none)'}`);
  const shown = usual === '' ? '(none)' : `\`${usual}\``;
  return others.length > 0 ? `${shown} (${others.join(', ')})` : shown;
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

export function renderConfigReference(): string {
  const all = settings();
  const appCount = Object.keys(APPS).length;
  const rows = all.map((setting) =>
    [
      `\`${setting.name}\``,
      setting.type,
      defaultsText(setting),
      setting.apps.length === appCount ? 'all' : setting.apps.join(', '),
      setting.production,
      setting.meaning,
    ]
      .map(cell)
      .join(' | '),
  );
  return [
    '# Configuration reference',
    '',
    'Generated by `npm run docs:config` from the apps’ configuration classes (their validators, defaults and',
    'the JSDoc of each setting). Do not edit by hand: `scripts/docs/config-reference.spec.ts` fails when this',
    'page and the classes disagree.',
    '',
    `Every setting is an environment variable, validated once at boot; a bad value stops the app with one`,
    `error that lists every fault. ${all.length} settings.`,
    '',
    'An app’s configuration class is composed from pieces: the process (`AppSettings`), `WithDatabase`,',
    '`WithKafka` and `WithAdmin` in every app (`BaseConfig`), then `WithOutbox` where a relay runs,',
    '`WithRewards` where packets are granted, `WithProbeAlerts` where probes are watched, and the app’s',
    'own settings. Every setting is read by code, except the four retired `REWARD_*` rule variables,',
    'declared only so that a deployment still setting them is refused at boot.',
    '',
    '| variable | type | default | apps | in production | meaning |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row} |`),
    '',
  ].join('\n');
}

if (require.main === module) {
  writeFileSync(CONFIG_REFERENCE_FILE, renderConfigReference());
  console.log(`wrote ${CONFIG_REFERENCE_FILE}`);
}

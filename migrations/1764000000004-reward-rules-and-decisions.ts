import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reward rules become data, and every decision is recorded once.
 * - `rewards.reward_rules`: append-only versions, each in force from its `effective_from` until the next one's.
 *   Version 1 is the rule the services were configured with until now (3 items, 5 %, 1.00 to 50.00), in force
 *   from the epoch, so every order already placed is judged by it.
 * - `rewards.reward_decisions`: one row per order, written in the grant transaction: granted or ineligible,
 *   under which rule version, for how much, from which item count and total. Existing packets are recorded as
 *   granted under version 1.
 * - The reconciler gets a login role of its own, `redpacket_reconciler`, that reads the ordering view and
 *   writes only what a grant, its run reports and the dedup-window purge need.
 */
export class RewardRulesAndDecisions1764000000004 implements MigrationInterface {
  name = 'RewardRulesAndDecisions1764000000004';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE rewards.reward_rules (
        version              integer     GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        effective_from       timestamptz NOT NULL UNIQUE
                             CHECK (effective_from = date_trunc('milliseconds', effective_from)),
        min_items            integer     NOT NULL CHECK (min_items >= 1),
        percent_basis_points integer     NOT NULL CHECK (percent_basis_points BETWEEN 0 AND 10000),
        min_cents            bigint      NOT NULL CHECK (min_cents >= 0),
        max_cents            bigint      NOT NULL CHECK (max_cents >= min_cents),
        created_at           timestamptz NOT NULL DEFAULT now(),
        created_by           text        NOT NULL,
        note                 text
      )`);
    await queryRunner.query(`
      INSERT INTO rewards.reward_rules (effective_from, min_items, percent_basis_points, min_cents, max_cents, created_by, note)
      VALUES ('1970-01-01T00:00:00Z', 3, 500, 100, 5000, 'migration', 'the rule of every order placed before rules were data')`);
    // Append-only, and only ever taking effect in the future: no service can have read the timeline without a
    // rule at a time that rule covers (see RewardRuleBook), and no rule rewrites the past.
    await queryRunner.query(`
      CREATE FUNCTION rewards.reward_rules_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'INSERT' THEN
          RAISE EXCEPTION 'reward rules are append-only: add a new version instead' USING ERRCODE = '23514';
        END IF;
        IF NEW.effective_from < clock_timestamp() + interval '2 seconds' THEN
          RAISE EXCEPTION 'a reward rule must take effect at least 2 seconds after it is written, got %', NEW.effective_from
            USING ERRCODE = '23514';
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER reward_rules_guard BEFORE INSERT OR UPDATE OR DELETE ON rewards.reward_rules
      FOR EACH ROW EXECUTE FUNCTION rewards.reward_rules_guard()`);

    await queryRunner.query(`
      CREATE TABLE rewards.reward_decisions (
        order_id        uuid        PRIMARY KEY,
        user_id         text        NOT NULL,
        outcome         text        NOT NULL CHECK (outcome IN ('granted', 'ineligible')),
        rule_version    integer     NOT NULL REFERENCES rewards.reward_rules (version),
        amount_cents    bigint      NOT NULL CHECK (amount_cents >= 0 AND (outcome = 'granted') = (amount_cents > 0)),
        item_count      integer     NOT NULL,
        total_cents     bigint      NOT NULL,
        order_placed_at timestamptz NOT NULL,
        source          text        NOT NULL CHECK (source IN ('event', 'reconciliation')),
        event_id        uuid,
        decided_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE INDEX reward_decisions_decided_at_idx ON rewards.reward_decisions (decided_at)');
    await queryRunner.query(`
      INSERT INTO rewards.reward_decisions
             (order_id, user_id, outcome, rule_version, amount_cents, item_count, total_cents, order_placed_at,
              source, event_id, decided_at)
      SELECT p.order_id, p.user_id, 'granted', 1, p.amount_cents, o.item_count, o.total_cents,
             date_trunc('milliseconds', o.created_at), p.source, p.event_id, p.granted_at
        FROM rewards.red_packets p JOIN ordering.orders o USING (order_id)`);
    // The two-way checks read packets and wallets by when they last changed.
    await queryRunner.query('CREATE INDEX red_packets_granted_at_idx ON rewards.red_packets (granted_at)');
    await queryRunner.query('CREATE INDEX wallets_updated_at_idx ON rewards.wallets (updated_at)');

    await queryRunner.query(`ALTER TABLE reconciliation.runs RENAME COLUMN already_granted TO already_decided`);
    await queryRunner.query(`
      ALTER TABLE reconciliation.runs
        ADD COLUMN scan              text    NOT NULL DEFAULT 'window' CHECK (scan IN ('incremental', 'full', 'window')),
        ADD COLUMN ineligible        integer NOT NULL DEFAULT 0,
        ADD COLUMN orphan_packets    integer NOT NULL DEFAULT 0,
        ADD COLUMN amount_mismatches integer NOT NULL DEFAULT 0,
        ADD COLUMN wallet_drifts     integer NOT NULL DEFAULT 0,
        ADD COLUMN findings          jsonb   NOT NULL DEFAULT '[]'`);
    await queryRunner.query('CREATE INDEX runs_started_at_idx ON reconciliation.runs (started_at)');
    await queryRunner.query(
      `CREATE INDEX runs_high_water_idx ON reconciliation.runs (window_until)
        WHERE status = 'succeeded' AND NOT dry_run AND scan IN ('incremental', 'full')`,
    );

    await queryRunner.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'redpacket_reconciler') THEN
          CREATE ROLE redpacket_reconciler LOGIN;
        END IF;
      END $$`);
    await queryRunner.query('GRANT reconciler_reader TO redpacket_reconciler');
    await queryRunner.query('GRANT USAGE ON SCHEMA rewards, reconciliation TO redpacket_reconciler');
    await queryRunner.query(`
      GRANT SELECT ON rewards.reward_rules, rewards.reward_decisions, rewards.red_packets, rewards.wallets,
                      rewards.processed_messages, rewards.outbox
         TO redpacket_reconciler`);
    // A grant: the decision, the packet, the wallet credit and the RedPacketGranted outbox row.
    await queryRunner.query(
      'GRANT INSERT ON rewards.reward_decisions, rewards.red_packets, rewards.wallets, rewards.outbox TO redpacket_reconciler',
    );
    await queryRunner.query(
      'GRANT UPDATE (balance_cents, version, updated_at) ON rewards.wallets TO redpacket_reconciler',
    );
    // The dedup window is the reconciler's one cleanup job.
    await queryRunner.query('GRANT DELETE ON rewards.processed_messages TO redpacket_reconciler');
    await queryRunner.query('GRANT SELECT, INSERT, UPDATE, DELETE ON reconciliation.runs TO redpacket_reconciler');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('REVOKE ALL ON reconciliation.runs FROM redpacket_reconciler');
    await queryRunner.query(
      `REVOKE ALL ON rewards.reward_decisions, rewards.red_packets, rewards.wallets, rewards.outbox,
                     rewards.processed_messages FROM redpacket_reconciler`,
    );
    await queryRunner.query('REVOKE USAGE ON SCHEMA rewards, reconciliation FROM redpacket_reconciler');
    await queryRunner.query('REVOKE reconciler_reader FROM redpacket_reconciler');
    await queryRunner.query('DROP INDEX reconciliation.runs_high_water_idx');
    await queryRunner.query('DROP INDEX reconciliation.runs_started_at_idx');
    await queryRunner.query(`
      ALTER TABLE reconciliation.runs
        DROP COLUMN scan, DROP COLUMN ineligible, DROP COLUMN orphan_packets, DROP COLUMN amount_mismatches,
        DROP COLUMN wallet_drifts, DROP COLUMN findings`);
    await queryRunner.query('ALTER TABLE reconciliation.runs RENAME COLUMN already_decided TO already_granted');
    await queryRunner.query('DROP INDEX rewards.wallets_updated_at_idx');
    await queryRunner.query('DROP INDEX rewards.red_packets_granted_at_idx');
    await queryRunner.query('DROP TABLE rewards.reward_decisions');
    await queryRunner.query('DROP TABLE rewards.reward_rules');
    await queryRunner.query('DROP FUNCTION rewards.reward_rules_guard()');
  }
}

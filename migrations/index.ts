import { CreateServiceSchemas1764000000000 } from './1764000000000-create-service-schemas';
import { CreateOrderingTables1764000000001 } from './1764000000001-create-ordering-tables';
import { CreateRewardsTables1764000000002 } from './1764000000002-create-rewards-tables';
import { CreateReconciliation1764000000003 } from './1764000000003-create-reconciliation';
import { RewardRulesAndDecisions1764000000004 } from './1764000000004-reward-rules-and-decisions';
import { ProductCatalogue1764000000005 } from './1764000000005-product-catalogue';
import { IdempotencyKeysPerCustomer1764000000006 } from './1764000000006-idempotency-keys-per-customer';
import { OutboxKeyOrderIndex1764000000007 } from './1764000000007-outbox-key-order-index';
import { OutboxTraceContext1764000000008 } from './1764000000008-outbox-trace-context';
import { PlaceOrderFunction1764000000009 } from './1764000000009-place-order-function';
import { OutboxUnpublishedIdIndex1764000000010 } from './1764000000010-outbox-unpublished-id-index';
import { InboxDeliveries1764000000011 } from './1764000000011-inbox-deliveries';
import { ReconciliationPendingRepairs1764000000012 } from './1764000000012-reconciliation-pending-repairs';

/** Every migration, in order. Listed explicitly so the apps, the CLI and jest load the same set. */
export const allMigrations = [
  CreateServiceSchemas1764000000000,
  CreateOrderingTables1764000000001,
  CreateRewardsTables1764000000002,
  CreateReconciliation1764000000003,
  RewardRulesAndDecisions1764000000004,
  ProductCatalogue1764000000005,
  IdempotencyKeysPerCustomer1764000000006,
  OutboxKeyOrderIndex1764000000007,
  OutboxTraceContext1764000000008,
  PlaceOrderFunction1764000000009,
  OutboxUnpublishedIdIndex1764000000010,
  InboxDeliveries1764000000011,
  ReconciliationPendingRepairs1764000000012,
];

/**
 * One definition of a valid order, shared by the HTTP contract (what a client may send) and the
 * event contract (what a consumer may trust): an event no client could have caused is poison.
 */
export const USER_ID_PATTERN = /^[A-Za-z0-9_.:@-]{1,64}$/;
export const USER_ID_RULE = 'userId must be 1-64 characters of [A-Za-z0-9_.:@-]';

export const MAX_LINES_PER_ORDER = 100;
export const MAX_QUANTITY = 1_000;
/** 100,000.00 in cents. */
export const MAX_UNIT_PRICE_CENTS = 10_000_000;

/** The most items one order can hold: every line at its largest quantity. */
export const MAX_ITEM_COUNT = MAX_LINES_PER_ORDER * MAX_QUANTITY;
/** The largest order total, 10^12 cents: well inside the range JSON numbers hold exactly. */
export const MAX_AMOUNT_CENTS = MAX_ITEM_COUNT * MAX_UNIT_PRICE_CENTS;

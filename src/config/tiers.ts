// The retention tiers, by name: a value the key layout, retention and the schema all use, kept apart from
// the assembled schema (which depends on the source registry) so lower layers can import it.
export const tierNames = ['daily', 'weekly', 'monthly', 'yearly'] as const;
export type Tier = (typeof tierNames)[number];

/** True when `value` (a key segment, a flag) is the name of a tier. */
export function isTier(value: string | undefined): value is Tier {
  return tierNames.some((tier) => tier === value);
}

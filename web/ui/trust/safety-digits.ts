/**
 * How the 60 safety-number digits are shown: twelve groups of five, as
 * Signal shows them, laid out in three rows of four so two people can read
 * them to each other group by group.
 */

export const SAFETY_DIGITS = 60;
export const DIGITS_PER_GROUP = 5;
export const GROUPS_PER_ROW = 4;

/** Twelve groups of five digits; throws on anything but exactly 60 digits. */
export function groupSafetyDigits(digits: string): string[] {
  if (!new RegExp(`^\\d{${SAFETY_DIGITS}}$`).test(digits)) {
    throw new RangeError('parley/ui: a safety number is exactly 60 digits');
  }
  const groups: string[] = [];
  for (let i = 0; i < digits.length; i += DIGITS_PER_GROUP) {
    groups.push(digits.slice(i, i + DIGITS_PER_GROUP));
  }
  return groups;
}

/** The groups in rows for display (3 rows of 4). */
export function safetyRows(groups: readonly string[]): string[][] {
  const rows: string[][] = [];
  for (let i = 0; i < groups.length; i += GROUPS_PER_ROW)
    rows.push(groups.slice(i, i + GROUPS_PER_ROW));
  return rows;
}

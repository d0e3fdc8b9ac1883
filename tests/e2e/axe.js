// axe with every WCAG 2.0/2.1 level A and AA rule of the installed axe-core,
// including the ones axe marks "experimental" and leaves off by default
// (label-content-name-mismatch, WCAG 2.5.3, is one of them): listing the
// rules by id runs them all. Import { wcagAxe, WCAG_RULES } from here.
import AxeBuilder from '@axe-core/playwright';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const axe = require('axe-core');

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Ids of every rule tagged with a WCAG 2.0/2.1 A or AA tag. */
export const WCAG_RULES = axe.getRules(WCAG_TAGS).map((r) => r.ruleId);

/** An AxeBuilder for `page` that runs exactly those rules. */
export function wcagAxe(page) {
  return new AxeBuilder({ page }).withRules(WCAG_RULES);
}

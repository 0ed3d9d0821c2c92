// One platform rule's verdict on a post, built the same way by every platform's rules: the field it
// is about, a stable code, the English sentence, and the values in that sentence.
import type { RuleIssue } from './post-rules.ts';

export function ruleIssue(field: string, code: string, message: string, params?: Record<string, string | number>): RuleIssue {
  return params ? { field, code, message, params } : { field, code, message };
}

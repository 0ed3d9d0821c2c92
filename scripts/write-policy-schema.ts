// Writes build/policy.schema.json from the policy's zod schema (npm run build:policy-schema).
import { writeFileSync } from 'node:fs';
import { policyJsonSchemaText } from '../electron/services/policy/policy-schema.ts';

writeFileSync(new URL('../build/policy.schema.json', import.meta.url), policyJsonSchemaText());
console.log('wrote build/policy.schema.json');

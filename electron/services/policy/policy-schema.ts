// The policy's published JSON Schema, generated from the same zod schema Airlock validates
// with, so IT's editors and Airlock can never disagree about what a policy may say.
import { z } from 'zod';
import { PolicySchema } from './policy.ts';

export function policyJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(PolicySchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://airlock.invalid/policy.schema.json',
    title: 'Airlock kiosk policy',
    description: 'Managed policy for an Airlock kiosk. Unknown keys are errors. See build/policy.example.json.',
  };
}

export function policyJsonSchemaText(): string {
  return `${JSON.stringify(policyJsonSchema(), null, 2)}\n`;
}

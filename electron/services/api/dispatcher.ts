// The single entry point both shells call: look up the method, validate the arguments against
// the contract, run the handler, validate its result, and return the {ok, value} envelope.
import { contract, type MethodArgs, type MethodResult } from '../../../common/contract.ts';
import { AirlockError, toErrorValue, type Result } from '../../../common/errors.ts';
import { isMethodName, type MethodName } from '../../../common/method-names.ts';
import type { z } from 'zod';

export type ApiHandlers = {
  [M in MethodName]: (args: z.output<(typeof contract)[M]['args']>) => Promise<MethodResult<M>> | MethodResult<M>;
};

export type ApiDispatch = (method: unknown, args: unknown) => Promise<Result<unknown>>;

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(arguments)'}: ${i.message}`).join('; ');
}

export function createDispatcher(handlers: ApiHandlers): ApiDispatch {
  return async (method, rawArgs) => {
    if (!isMethodName(method)) {
      return {
        ok: false,
        error: new AirlockError(
          'api.unknown-method',
          'Airlock was asked to do something it does not know. Nothing was changed.',
          `unknown method ${JSON.stringify(String(method)).slice(0, 100)}`,
        ).toValue(),
      };
    }
    const spec = contract[method];
    const parsed = spec.args.safeParse(rawArgs ?? {});
    if (!parsed.success) {
      return {
        ok: false,
        error: new AirlockError(
          'api.bad-arguments',
          'Airlock received a request it could not understand. Nothing was changed.',
          `${method}: ${describeIssues(parsed.error)}`,
        ).toValue(),
      };
    }
    try {
      const handler = handlers[method] as (args: unknown) => Promise<unknown> | unknown;
      const value = await handler(parsed.data);
      const checked = spec.result.safeParse(value);
      if (!checked.success) {
        return {
          ok: false,
          error: new AirlockError(
            'api.bad-result',
            'Something went wrong inside Airlock. Ask IT to look at the details.',
            `${method} returned data outside the contract: ${describeIssues(checked.error)}`,
          ).toValue(),
        };
      }
      return { ok: true, value: checked.data };
    } catch (err) {
      return { ok: false, error: toErrorValue(err) };
    }
  };
}

export type { MethodArgs };

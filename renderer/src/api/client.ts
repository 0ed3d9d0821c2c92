// The renderer's only door to Airlock: typed calls over `window.airlock`, whichever shell
// provides it. Results are checked against the same contract the services use.
import { contract, type AirlockEvent, type MethodArgs, type MethodResult } from '../../../common/contract.ts';
import type { AirlockBridge } from '../../../common/bridge.ts';
import type { AirlockErrorValue } from '../../../common/errors.ts';
import type { MethodName } from '../../../common/method-names.ts';
import { t } from '../i18n/index.ts';

declare global {
  interface Window {
    airlock?: AirlockBridge;
  }
}

export class ApiError extends Error {
  readonly value: AirlockErrorValue;
  constructor(value: AirlockErrorValue) {
    super(value.message);
    this.value = value;
  }
}

function bridge(): AirlockBridge {
  const found = window.airlock;
  if (!found) {
    throw new ApiError({
      code: 'api.no-bridge',
      message: t('errors.api.no-bridge'),
    });
  }
  return found;
}

export async function call<M extends MethodName>(method: M, args: MethodArgs<M>): Promise<MethodResult<M>> {
  const result = await bridge().invoke(method, args);
  if (!result.ok) throw new ApiError(result.error);
  return contract[method].result.parse(result.value) as MethodResult<M>;
}

export function subscribe(listener: (event: AirlockEvent) => void): () => void {
  try {
    return bridge().subscribe(listener);
  } catch {
    return () => {};
  }
}

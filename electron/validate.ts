// Payload validation for main: every invoke request and every event payload goes through here.

import {
  assertValid,
  eventChannels,
  invokeChannels,
  type EventName,
  type EventPayload,
  type InvokeName,
  type RequestOf,
} from '../common/contract';
import type { Schema } from '../common/schema';

export const INVOKE_NAMES = Object.keys(invokeChannels) as InvokeName[];
export const EVENT_NAMES = Object.keys(eventChannels) as EventName[];

const byChannel = new Map<string, InvokeName>(INVOKE_NAMES.map((n) => [invokeChannels[n].channel, n]));

/** The contract name of an IPC channel string, or undefined for channels we do not serve. */
export function invokeNameOf(channel: string): InvokeName | undefined {
  return byChannel.get(channel);
}

/** Throws PayloadError unless `payload` is a valid request for `name`. */
export function validateRequest<N extends InvokeName>(name: N, payload: unknown): RequestOf<N> {
  const schema = invokeChannels[name].request as Schema<RequestOf<N>>;
  return assertValid(schema, payload, name);
}

/** Throws PayloadError unless `payload` is a valid event body for `name` (main checks before sending). */
export function validateEvent<N extends EventName>(name: N, payload: unknown): EventPayload<N> {
  const schema = eventChannels[name].payload as Schema<EventPayload<N>>;
  return assertValid(schema, payload, name);
}

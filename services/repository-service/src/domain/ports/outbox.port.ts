/** An event waiting in the outbox, already encoded for the wire. */
export interface OutboxRecord {
  /** Position in the outbox; events are published in this order. */
  position: string;
  eventId: string;
  /** Kafka key: the node id, so one node's events stay in order. */
  key: string;
  /** Full protobuf message name, e.g. tessera.events.v1.UploadCompleted. */
  type: string;
  payload: Uint8Array;
  /** W3C trace context of the change that wrote the event (traceparent, tracestate). */
  traceContext: Record<string, string>;
  createdAt: Date;
}

export interface OutboxBacklog {
  pending: number;
  /** Age of the oldest unpublished event, by the database's clock; 0 when none is pending. */
  oldestAgeMs: number;
}

/**
 * Events written in the same transactions as the changes they report, waiting to be published
 * (docs/events.md).
 */
export interface Outbox {
  /**
   * Hands the oldest pending events (at most `limit`, in order) to `publish` and removes them once
   * it resolves; a rejection leaves them pending. 'busy' when another relay is draining right now.
   */
  drain(
    limit: number,
    publish: (records: readonly OutboxRecord[]) => Promise<void>,
  ): Promise<number | 'busy'>;
  backlog(): Promise<OutboxBacklog>;
}

/** Where the relay publishes events (Kafka). Resolves once every event is acknowledged. */
export interface EventPublisher {
  publish(records: readonly OutboxRecord[]): Promise<void>;
}

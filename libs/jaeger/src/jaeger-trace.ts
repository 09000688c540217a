/** A trace as Jaeger's query API (/api/traces/{id}) returns it. */
export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

export interface JaegerSpan {
  spanID: string;
  operationName: string;
  references: { refType: string; spanID: string }[];
  /** Microseconds since the epoch. */
  startTime: number;
  /** Microseconds. */
  duration: number;
  processID: string;
  tags?: { key: string; value: unknown }[];
}

/** grpc.tessera.upload.v1.UploadService/CompleteUpload → UploadService/CompleteUpload */
export function shortOperation(name: string): string {
  return name.replace(/^grpc\.(?:\w+\.)*(\w+\/\w+)$/, '$1');
}

{{/*
The environment of one service (its config schema: docs/configuration.md). Which dependencies
each service talks to is fixed by the code, so it is fixed here, not in values.
*/}}
{{- define "tessera.dependencies" -}}
{{- $table := dict
  "intake-gateway" (list "s3" "repository" "metadata")
  "repository-service" (list "s3" "bucket" "tidb" "metadata" "kafka" "topic" "registry")
  "metadata-service" (list "tidb" "redis" "repository" "kafka")
-}}
{{- get $table . | toJson -}}
{{- end }}

{{/* The services read an empty S3_ENDPOINT as "unset" (the local MinIO): name AWS S3's own. */}}
{{- define "tessera.s3Endpoint" -}}
{{- .Values.s3.endpoint | default (printf "https://s3.%s.amazonaws.com" .Values.s3.region) -}}
{{- end }}

{{- define "tessera.secretEnv" -}}
- name: {{ .variable }}
  valueFrom: { secretKeyRef: { name: {{ .secret | quote }}, key: {{ .key | quote }} } }
{{- end }}

{{- define "tessera.chartEnv" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
{{- $deps := include "tessera.dependencies" .name | fromJsonArray -}}
- { name: LISTEN_HOST, value: "0.0.0.0" }
- { name: GRPC_PORT, value: {{ .svc.grpcPort | quote }} }
- { name: HTTP_PORT, value: {{ .svc.httpPort | quote }} }
- { name: LOG_LEVEL, value: {{ $v.logLevel | quote }} }
- { name: OTEL_SDK_DISABLED, value: {{ not $v.tracing.enabled | quote }} }
- { name: OTEL_EXPORTER_OTLP_ENDPOINT, value: {{ $v.tracing.otlpEndpoint | quote }} }
- { name: OTEL_TRACES_SAMPLER, value: "parentbased_traceidratio" }
- { name: OTEL_TRACES_SAMPLER_ARG, value: {{ $v.tracing.samplerRatio | quote }} }
{{- if has "s3" $deps }}
- { name: S3_ENDPOINT, value: {{ include "tessera.s3Endpoint" $root | quote }} }
- { name: S3_REGION, value: {{ $v.s3.region | quote }} }
- { name: S3_FORCE_PATH_STYLE, value: {{ $v.s3.forcePathStyle | quote }} }
- { name: S3_CONNECT_TIMEOUT_MS, value: {{ $v.s3.timeouts.connectMs | int64 | quote }} }
- { name: S3_IDLE_TIMEOUT_MS, value: {{ $v.s3.timeouts.idleMs | int64 | quote }} }
- { name: S3_REQUEST_TIMEOUT_MS, value: {{ $v.s3.timeouts.requestMs | int64 | quote }} }
{{- with $v.s3.credentialsSecret }}{{ if .name }}
{{ include "tessera.secretEnv" (dict "variable" "S3_ACCESS_KEY_ID" "secret" .name "key" .accessKeyIdKey) }}
{{ include "tessera.secretEnv" (dict "variable" "S3_SECRET_ACCESS_KEY" "secret" .name "key" .secretAccessKeyKey) }}
{{- end }}{{ end }}
{{- end }}
{{- if has "bucket" $deps }}
- { name: S3_BUCKET, value: {{ $v.s3.bucket | quote }} }
- { name: S3_CREATE_BUCKET, value: {{ $v.s3.createBucket | quote }} }
{{- end }}
{{- if has "tidb" $deps }}
- { name: TIDB_HOST, value: {{ $v.tidb.host | quote }} }
- { name: TIDB_PORT, value: {{ $v.tidb.port | quote }} }
- { name: TIDB_USER, value: {{ $v.tidb.user | quote }} }
- { name: TIDB_DATABASE, value: {{ $v.tidb.database | quote }} }
- { name: TIDB_POOL_SIZE, value: {{ $v.tidb.poolSize | quote }} }
{{- with $v.tidb.passwordSecret }}{{ if .name }}
{{ include "tessera.secretEnv" (dict "variable" "TIDB_PASSWORD" "secret" .name "key" .key) }}
{{- end }}{{ end }}
{{- end }}
{{- if has "redis" $deps }}
{{- if $v.redis.urlSecret.name }}
{{ include "tessera.secretEnv" (dict "variable" "REDIS_URL" "secret" $v.redis.urlSecret.name "key" $v.redis.urlSecret.key) }}
{{- else }}
- { name: REDIS_URL, value: {{ $v.redis.url | quote }} }
{{- end }}
{{- end }}
{{- if has "repository" $deps }}
- { name: REPOSITORY_SERVICE_ADDRESS, value: {{ include "tessera.grpcAddress" (dict "root" $root "name" "repository-service") | quote }} }
{{- end }}
{{- if has "metadata" $deps }}
- { name: METADATA_SERVICE_ADDRESS, value: {{ include "tessera.grpcAddress" (dict "root" $root "name" "metadata-service") | quote }} }
{{- end }}
{{- if has "kafka" $deps }}
- { name: KAFKA_BROKERS, value: {{ $v.kafka.brokers | quote }} }
- { name: KAFKA_LIFECYCLE_TOPIC, value: {{ $v.kafka.lifecycleTopic | quote }} }
{{- end }}
{{- if has "topic" $deps }}
- { name: KAFKA_CREATE_TOPIC, value: {{ $v.kafka.createTopic | quote }} }
- { name: KAFKA_LIFECYCLE_TOPIC_PARTITIONS, value: {{ $v.kafka.topicPartitions | quote }} }
{{- end }}
{{- if has "registry" $deps }}
- { name: SCHEMA_REGISTRY_URL, value: {{ $v.schemaRegistry.url | quote }} }
- { name: SCHEMA_GROUP, value: {{ $v.schemaRegistry.group | quote }} }
{{- end }}
{{- end }}

{{/* The chart's variables, then the service's `env` values, which may not repeat one of them. */}}
{{- define "tessera.env" -}}
{{- $env := include "tessera.chartEnv" . | fromYamlArray -}}
{{- $names := list -}}
{{- range $env }}{{ $names = append $names .name }}{{ end -}}
{{- range $key, $value := .svc.env -}}
{{- if has $key $names -}}
{{- fail (printf "services.%s.env.%s: the chart sets this variable from its own values; set those instead (docs/deploy.md)" $.name $key) -}}
{{- end -}}
{{- $env = append $env (dict "name" $key "value" (toString $value)) -}}
{{- end -}}
{{- toJson $env -}}
{{- end }}

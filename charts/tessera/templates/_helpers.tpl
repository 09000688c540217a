{{/* Name of one service's objects: <release>-<service>. */}}
{{- define "tessera.serviceName" -}}
{{- printf "%s-%s" .root.Release.Name .name | trunc 63 | trimSuffix "-" -}}
{{- end }}

{{- define "tessera.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end }}

{{- define "tessera.labels" -}}
{{ include "tessera.selectorLabels" . }}
app.kubernetes.io/part-of: tessera
app.kubernetes.io/version: {{ include "tessera.imageTag" .root | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end }}

{{/* Label selector of every pod of the release (the services, the hook Job, the test Pod). */}}
{{- define "tessera.releasePods" -}}
matchLabels:
  app.kubernetes.io/instance: {{ .Release.Name }}
  app.kubernetes.io/part-of: tessera
{{- end }}

{{- define "tessera.imageTag" -}}
{{- .Values.image.tag | default .Chart.AppVersion -}}
{{- end }}

{{/* Image of a service: {registry/}{image}:{tag}. */}}
{{- define "tessera.image" -}}
{{- $registry := .root.Values.image.registry -}}
{{- printf "%s%s:%s" (ternary (printf "%s/" $registry) "" (ne $registry "")) .svc.image (include "tessera.imageTag" .root) -}}
{{- end }}

{{- define "tessera.serviceAccountName" -}}
{{- .Values.serviceAccount.name | default (printf "%s-tessera" .Release.Name) -}}
{{- end }}

{{/* host:port of a sibling service's gRPC API. */}}
{{- define "tessera.grpcAddress" -}}
{{- $svc := index .root.Values.services .name -}}
{{- printf "%s:%v" (include "tessera.serviceName" .) $svc.grpcPort -}}
{{- end }}

{{- define "tessera.podSecurity" -}}
securityContext: {{ toJson .Values.podSecurityContext }}
automountServiceAccountToken: false
{{- with .Values.imagePullSecrets }}
imagePullSecrets: {{ toJson . }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector: {{ toJson . }}
{{- end }}
{{- with .Values.tolerations }}
tolerations: {{ toJson . }}
{{- end }}
{{- with .Values.affinity }}
affinity: {{ toJson . }}
{{- end }}
{{- end }}
